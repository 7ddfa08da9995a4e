import { CamflowError, ConfigError, createLogger, formatLogRecord, redactText, type LogLevel } from '@camflow/core';
import { type CliIo, type Command, UsageError, writeLine } from './command.js';
import { commands } from './commands/index.js';

export interface RunCliOptions {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

/** Runs `camflow ARGS...` and returns the exit code. Never throws, never calls process.exit. */
export async function runCli(argv: readonly string[], options: RunCliOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const env = options.env ?? process.env;
  const level = (['debug', 'info', 'warn', 'error'] as const).find((l) => l === env['CAMFLOW_LOG_LEVEL']) ?? 'info';
  const io: CliIo = {
    stdout,
    stderr,
    env,
    signal: options.signal ?? new AbortController().signal,
    logger: createLogger({ level: level satisfies LogLevel, sink: (record) => writeLine(stderr, formatLogRecord(record)) }),
  };
  const args = [...argv];
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    writeLine(args.length === 0 ? stderr : stdout, usage());
    return args.length === 0 ? 2 : 0;
  }
  const command = findCommand(args);
  if (command === undefined) {
    writeLine(stderr, `camflow: unknown command '${args.join(' ')}'\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args.slice(command.path.length), io);
  } catch (error) {
    // Messages may quote what a camera or broker said; never let a credential through.
    writeLine(stderr, redactText(describeFailure(error, command)));
    return error instanceof UsageError || isParseArgsError(error) ? 2 : 1;
  }
}

function findCommand(args: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, index) => args[index] === word);
    if (matches && (best === undefined || command.path.length > best.path.length)) best = command;
  }
  return best;
}

/** One clear reason per failure: the message, and for a config every problem on its own line. */
function describeFailure(error: unknown, command: Command): string {
  if (error instanceof UsageError || isParseArgsError(error)) {
    return `camflow ${command.path.join(' ')}: ${(error as Error).message}\nusage: camflow ${command.usage}`;
  }
  if (error instanceof ConfigError) return `✗ ${error.message}`;
  if (error instanceof CamflowError) return `✗ ${error.message} [${error.code}]`;
  return `✗ ${error instanceof Error ? error.message : String(error)}`;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

export function usage(): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  const lines = commands.map((c) => `  camflow ${c.usage.padEnd(width)}  ${c.summary}`);
  return `usage:\n${lines.join('\n')}`;
}
