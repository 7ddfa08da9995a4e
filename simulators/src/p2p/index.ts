export { TrailCamSimulator, type TrailCamSimulatorOptions, type PathBehaviour, type SimPath, type SimulatorEvents, type DeviceSessionInfo } from './device.js';
export { DirectoryServerSimulator, type DirectoryServerOptions } from './directory.js';
export { RelaySimulator, type RelayOptions } from './relay.js';
export type { DrwFaults } from './device-link.js';
export type { Photo } from './camera-app.js';
export { thumbnailJpeg } from './jpeg.js';
export { decodeSim, encodeSim, type SimMessage, type ServerMessage, type PinnedMessage } from './wire.js';
export { thumbnailRecord } from './camera-app.js';
export { mediaFileBytes } from './media-files.js';
