export { runCli, usage, type RunCliOptions } from './cli/run.js';
export type { CliIo, Command } from './cli/command.js';
