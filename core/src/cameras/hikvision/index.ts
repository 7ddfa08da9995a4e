export * from './types.js';
export { HikvisionClient } from './client.js';
