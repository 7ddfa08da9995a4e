export * from './types.js';
export { HikvisionSimulator } from './simulator.js';
export { SimulatorControl, CONTROL_EVENT_TYPES } from './control.js';
export { recordingBody } from './media.js';
