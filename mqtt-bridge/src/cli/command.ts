import type { Logger } from '@camflow/core';

/** What a command may touch: its streams, env and a logger to stderr. Tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Fires on SIGINT/SIGTERM; long-running commands stop cleanly when it does. */
  signal: AbortSignal;
}

export interface Command {
  /** Words that select it: `['config', 'check']`. */
  path: readonly string[];
  /** `config check FILE`: shown in the usage text. */
  usage: string;
  summary: string;
  /** Returns the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: printed with the command's usage line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  stream.write(`${line}\n`);
}
