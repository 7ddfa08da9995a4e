export * from './types.js';
export { recordingBody } from './media.js';
export { HikvisionSimulator } from './simulator.js';
export { SimulatorControl, CONTROL_EVENT_TYPES } from './control.js';
export { OverlayPicture, DEFAULT_FONT, type OverlayPictureOptions } from './picture.js';
