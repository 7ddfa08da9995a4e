export * from './types.js';
export { HikvisionClient } from './client.js';
export { MultipartReader, type MultipartPart } from './multipart.js';
export { parseEventXml } from './parse.js';
export * from './recordings.js';
export * from './recordings-time.js';
export * from './recordings-name.js';
