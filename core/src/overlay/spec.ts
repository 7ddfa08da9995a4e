/**
 * A camera's overlay-sync spec from its config, shared by every front-end (OverlaySync.fromConfig,
 * the MQTT bridge), so which config keys feed the engine is decided in one place.
 */
import type { HikvisionCameraConfig } from '../config/camera.js';
import type { OverlayTarget } from './target.js';
import type { OverlayCameraSpec } from './types.js';

/**
 * `target`: a client the caller owns (the engine never closes it), or a factory the engine calls on
 * first use and closes on stop().
 */
export function overlayCameraSpec(camera: HikvisionCameraConfig, target: OverlayTarget | (() => OverlayTarget)): OverlayCameraSpec {
  return {
    id: camera.id,
    ...(camera.name === undefined ? {} : { name: camera.name }),
    channel: camera.channel,
    connections: camera.connections,
    authRetryMs: camera.auth_backoff,
    overlays: camera.overlays,
    ...(typeof target === 'function' ? { createTarget: target } : { target }),
  };
}
