export * from './camera-sync.js';
export { formatNumber, parseNumberFormat, type NumberFormat } from './formats.js';
export * from './spec.js';
export * from './sync.js';
export * from './target.js';
export * from './template.js';
export * from './validate.js';
export * from './types.js';
