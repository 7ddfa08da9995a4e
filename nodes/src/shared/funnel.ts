import { ensureError, isAbortError } from '@camflow/core';
import type { Node, NodeDone, NodeMessage } from '../red.js';

/**
 * Status text (a message id the editor translates) for an error, by its stable `code`, so every node
 * shows the same words for the same failure.
 */
export function errorStatusText(error: Error): string {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'AUTH_FAILED':
      return 'camflow.status.authFailed';
    case 'TIMEOUT':
      return 'camflow.status.timeout';
    case 'CONNECTION_FAILED':
      return 'camflow.status.unreachable';
    case 'CONFIG_INVALID':
      return 'camflow.status.badConfig';
    case 'RACE_FAILED':
      return 'camflow.status.unreachable';
    default:
      return 'camflow.status.error';
  }
}

/**
 * The one place a failed input ends: red status, then `done(err)` so Catch nodes see it. A task
 * cancelled because the node is closing is not the user's error and ends quietly.
 */
export function fail(node: Node, thrown: unknown, done: NodeDone, closing: boolean): void {
  const error = ensureError(thrown);
  if (closing && isAbortError(error)) {
    done();
    return;
  }
  node.status({ fill: 'red', shape: 'ring', text: errorStatusText(error) });
  done(error);
}

/** For nodes that emit on their own (no `done`): report through `node.error` so Catch nodes see it. */
export function reportError(node: Node, thrown: unknown, msg: NodeMessage = {}): void {
  const error = ensureError(thrown);
  node.status({ fill: 'red', shape: 'ring', text: errorStatusText(error) });
  node.error(error, { ...msg, error: { message: error.message, code: (error as { code?: unknown }).code } });
}
