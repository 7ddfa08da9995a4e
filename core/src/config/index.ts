export * from './camera.js';
export * from './common.js';
export * from './duration.js';
export { formatPath, substituteEnv, type Environment } from './env.js';
export * from './load.js';
export * from './schema.js';
export * from './pipeline.js';
export * from './status.js';
export * from './detect.js';
