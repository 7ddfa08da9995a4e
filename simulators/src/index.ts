export * from './timing.js';
export type { SimulatorCommand } from './cli-commands.js';
export * from './hikvision/index.js';
export * from './p2p/index.js';
export { HostileCamera, type HostileMode, type HostileOptions } from './hostile/server.js';
export { FakeRingCloud, type FakeRingCloudOptions } from './ring/fake-cloud.js';
export { type FakeLiveViewRecord, FakeRingLiveView } from './ring/fake-live.js';
export { FAKE_LOCATION_ID, FakeRingDevices, type FakeRingDeviceOptions, type FakeRingEvent, type FakeRingEventOptions } from './ring/fake-devices.js';
