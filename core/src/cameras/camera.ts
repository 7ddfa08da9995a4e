/**
 * One camera from its config, whatever its kind, so front-ends stop deciding Hikvision vs P2P each on
 * their own: what every kind can do (a JPEG, close) is here; anything kind-specific goes through the
 * typed client, narrowed by `kind` (`if (camera.kind === 'hikvision') camera.client.deviceInfo()`).
 * Creating a camera does no I/O.
 */
import type { CameraConfig, HikvisionCameraConfig, P2pCameraConfig } from '../config/camera.js';
import type { Logger } from '../log.js';
import { HikvisionClient } from './hikvision/client.js';
import type { CallOptions } from './hikvision/types.js';
import { TrailCamClient } from './p2p/client.js';

export type CameraKind = CameraConfig['type'];

interface CameraCommon {
  /** The camera's id from the config (also its name in logs and errors). */
  readonly id: string;
  /**
   * A JPEG. Hikvision: the configured channel's snapshot. P2P: connects first if needed (racing the
   * paths), then the newest photo's thumbnail; `timeoutMs` is not used there (the client's timeout is).
   */
  snapshot(o?: CallOptions): Promise<Buffer>;
  /** Releases every socket and timer of the client. Idempotent. */
  close(): Promise<void>;
}

export interface HikvisionCamera extends CameraCommon {
  readonly kind: 'hikvision';
  readonly client: HikvisionClient;
  /** The configured video channel (1-based). */
  readonly channel: number;
}

export interface P2pCamera extends CameraCommon {
  readonly kind: 'p2p';
  readonly client: TrailCamClient;
}

export type Camera = HikvisionCamera | P2pCamera;

export function createCamera(config: CameraConfig, logger?: Logger): Camera {
  switch (config.type) {
    case 'hikvision':
      return hikvisionCamera(config, logger);
    case 'p2p':
      return p2pCamera(config, logger);
  }
}

function hikvisionCamera(config: HikvisionCameraConfig, logger: Logger | undefined): HikvisionCamera {
  const client = HikvisionClient.fromConfig(config, logger);
  return {
    kind: 'hikvision',
    id: config.id,
    client,
    channel: config.channel,
    snapshot: (o = {}) => client.snapshot(config.channel, o),
    close: () => client.close(),
  };
}

function p2pCamera(config: P2pCameraConfig, logger: Logger | undefined): P2pCamera {
  const client = TrailCamClient.fromConfig(config, logger);
  return {
    kind: 'p2p',
    id: config.id,
    client,
    async snapshot(o = {}) {
      const signal = o.signal === undefined ? {} : { signal: o.signal };
      // Returns at once when connected, joins a connect already under way, races again after a drop.
      await client.connect(signal);
      return client.snapshot(signal);
    },
    close: () => client.close(),
  };
}
