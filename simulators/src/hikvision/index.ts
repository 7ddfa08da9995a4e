export * from './types.js';
export { HikvisionSimulator } from './simulator.js';
