export * from './errors.js';
export * from './log.js';
export * from './events.js';
export * from './config/index.js';
export * from './cameras/hikvision/index.js';
export * from './overlay/index.js';
export * from './racer/index.js';
export * from './cameras/p2p/index.js';
