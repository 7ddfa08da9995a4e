import { parseArgs } from 'node:util';
import { configJsonSchema, loadConfig } from '@camflow/core';
import { type Command, UsageError, writeLine } from '../command.js';

export const configCheck: Command = {
  path: ['config', 'check'],
  usage: 'config check FILE',
  summary: 'Validate a camflow.yaml; list every problem with its path and line',
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) throw new UsageError('expected exactly one FILE');
    const config = await loadConfig(file, { env: io.env });
    const cameras = config.cameras.length === 1 ? '1 camera' : `${config.cameras.length} cameras`;
    writeLine(io.stdout, `✓ ${file} is valid (${cameras})`);
    return 0;
  },
};

export const configSchema: Command = {
  path: ['config', 'schema'],
  usage: 'config schema',
  summary: 'Print the JSON Schema of camflow.yaml (for editor completion)',
  run(args, io) {
    parseArgs({ args, allowPositionals: false, options: {} });
    writeLine(io.stdout, JSON.stringify(configJsonSchema(), null, 2));
    return Promise.resolve(0);
  },
};
