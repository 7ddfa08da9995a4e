export { RING_LOGIN_AGAIN, RING_TOKEN_FILE, RingLoginRequiredError, RingTokenStore } from './token-store.js';
export { ringCameraConfig, type RingCameraConfig } from '../../config/ring.js';
export { ringLogin, RingTwoFactorError, type RingLoginOptions } from './login.js';
export { useRingApiBase } from './api-base.js';
export { openRingSession, type RingSession } from './session.js';
