export { RING_LOGIN_AGAIN, RING_TOKEN_FILE, RingLoginRequiredError, RingTokenStore } from './token-store.js';
export { ringCameraConfig, type RingCameraConfig } from '../../config/ring.js';
export { ringLogin, RingTwoFactorError, type RingLoginOptions } from './login.js';
export { useRingApiBase } from './api-base.js';
export { RingAccount, ringError, type RingDevice, type RingRequest } from './account.js';
export { RingClient, type RingRecording } from './client.js';
export { SeenEvents } from './seen-events.js';
