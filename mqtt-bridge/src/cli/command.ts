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
  /** `--help`: each option (as written on the command line) and what it does, its default included. */
  options?: readonly (readonly [flags: string, text: string])[];
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

/** Options most commands share, for their --help. */
export const CONFIG_OPTION = ['-c, --config FILE', 'camflow.yaml to use (required)'] as const;
export const CAMERA_OPTION = ['--camera ID', 'the camera, by its id in the config (required)'] as const;
export const JSON_OPTION = ['--json', 'print JSON only on stdout (messages go to stderr); default off'] as const;
