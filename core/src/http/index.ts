export * from './digest.js';
export * from './client.js';
export { buildTlsConnect, usesTls } from './tls.js';
