import { CamflowError, ConfigError, createLogger, formatLogRecord, redactText, type LogLevel } from '@camflow/core';
import { type CliIo, type Command, UsageError, writeLine } from './command.js';
import { bridgeVersion } from '../bridge/version.js';
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
  if (args[0] === '--version' || args[0] === '-V') {
    writeLine(stdout, `camflow ${bridgeVersion()}`);
    return 0;
  }
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    writeLine(args.length === 0 ? stderr : stdout, usage());
    return args.length === 0 ? 2 : 0;
  }
  const wantsHelp = args.includes('--help') || args.includes('-h');
  const command = findCommand(args);
  if (command === undefined) {
    // A group (`camflow trailcam --help`): its commands.
    const group = commands.filter((c) => c.path[0] === args[0]);
    if (group.length > 0 && wantsHelp) {
      writeLine(stdout, usage(group));
      return 0;
    }
    writeLine(stderr, `camflow: unknown command '${args.join(' ')}'\n\n${usage(group.length > 0 ? group : commands)}`);
    return 2;
  }
  if (wantsHelp) {
    writeLine(stdout, commandHelp(command));
    return 0;
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

const COLUMNS = 80;

/** Words of `text` in lines of at most `width` columns, each line after the first indented by `indent`. */
export function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const limit = lines.length === 0 ? width : width - indent.length;
    if (line !== '' && line.length + 1 + word.length > limit) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : indent + l)).join('\n');
}

/** Every command (or a group's), each as its usage and, indented below, what it does; 80 columns. */
export function usage(list: readonly Command[] = commands): string {
  const blocks = list.map((c) => `  ${wrap(`camflow ${c.usage}`, COLUMNS - 2, '      ')}\n      ${wrap(c.summary, COLUMNS - 6, '      ')}`);
  return `usage (camflow COMMAND --help for a command's options; camflow --version):\n${blocks.join('\n')}`;
}

/** One command's help: usage, what it does, and each option with its default. */
export function commandHelp(command: Command): string {
  const lines = [`usage: ${wrap(`camflow ${command.usage}`, COLUMNS - 7, '         ')}`, '', wrap(command.summary, COLUMNS, '')];
  if (command.options !== undefined && command.options.length > 0) {
    lines.push('', 'options:');
    const width = Math.min(26, Math.max(...command.options.map(([flags]) => flags.length)));
    for (const [flags, text] of command.options) {
      const head = `  ${flags.padEnd(width)}  `;
      lines.push(flags.length > width ? `  ${flags}\n${' '.repeat(width + 4)}${wrap(text, COLUMNS - width - 4, ' '.repeat(width + 4))}` : `${head}${wrap(text, COLUMNS - head.length, ' '.repeat(head.length))}`);
    }
  }
  return lines.join('\n');
}
