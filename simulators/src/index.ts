export * from './timing.js';
export type { SimulatorCommand } from './cli-commands.js';
export * from './hikvision/index.js';
