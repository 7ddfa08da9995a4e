export { RING_LOGIN_AGAIN, RING_TOKEN_FILE, RingLoginRequiredError, RingTokenStore } from './token-store.js';
export { ringCameraConfig, type RingCameraConfig } from '../../config/ring.js';
