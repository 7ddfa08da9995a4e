import { createLogger, type Logger, type LogRecord } from '@camflow/core';
import type { Node } from '../red.js';

/** Core's Logger writing into Node-RED's log through the node, so lines carry the node's id and name. */
export function nodeLogger(node: Node, namespace = 'camflow'): Logger {
  return createLogger({
    namespace,
    level: 'debug',
    sink: (record: LogRecord) => {
      const fields = record.fields === undefined ? '' : ` ${JSON.stringify(record.fields)}`;
      const line = `${record.message}${fields}`;
      if (record.level === 'error') node.error(line);
      else if (record.level === 'warn') node.warn(line);
      else if (record.level === 'info') node.log(line);
      else node.debug(line);
    },
  });
}
