/**
 * One camera from its config, whatever its kind: the single interface every front-end (MQTT bridge,
 * Node-RED, Homebridge, the pipeline's jobs) uses. What every kind can do (details, a JPEG, close) is
 * required; what only some kinds can do is an optional capability a front-end tests for
 * (`if (camera.events) ...`), so adding a camera kind means adding it here once, not in each front-end.
 * Anything truly kind-specific goes through the typed client, narrowed by `kind`
 * (`if (camera.kind === 'hikvision') camera.client.deviceInfo()`). Creating a camera does no I/O.
 */
import type { CameraConfig, HikvisionCameraConfig, P2pCameraConfig } from '../config/camera.js';
import type { RingCameraConfig } from '../config/ring.js';
import type { RtspCameraConfig } from '../config/rtsp.js';
import { ConnectionError } from '../errors.js';
import type { Logger } from '../log.js';
import { HikvisionClient } from './hikvision/client.js';
import type { CallOptions, CameraEvent } from './hikvision/types.js';
import { TrailCamClient } from './p2p/client.js';
import { p2pLiveVideo } from './p2p/live-input.js';
import { RingClient } from './ring/client.js';
import { type LiveVideo, urlLiveVideo } from './live-video.js';
import { RtspClient } from './rtsp/camera.js';
import { streamInputArgs } from './rtsp/ffmpeg.js';

export type CameraKind = CameraConfig['type'];

/** What a camera says about itself, for device registries (Home Assistant, HomeKit). */
export interface CameraDetails {
  manufacturer?: string;
  model?: string;
  serialNumber?: string;
  firmware?: string;
  /** A doorbell (Ring): front-ends add a doorbell entity or service for its `ding` events. */
  doorbell?: boolean;
}

/** A clip recorded on request (`recordClip`). */
export interface ClipRequest extends CallOptions {
  /** Length after the trigger (now), in seconds. */
  seconds: number;
  /** Where the MP4 goes; written as `<path>.part` and renamed when whole. */
  path: string;
  /** Start this many seconds before now, when the camera keeps a pre-event buffer (capped by it). */
  preEventSeconds?: number;
  /** Called now and then while recording, fraction 0..1. */
  onProgress?: (fraction: number, message?: string) => void;
}

/** A finished media file on disk: what a "clip ready" event carries. */
export interface ClipInfo {
  camera: string;
  path: string;
  start: Date;
  end: Date;
  durationMs: number;
  bytes: number;
}

/** One low-resolution 8-bit gray frame (width * height bytes, row-major), for motion detection. */
export interface GrayFrame {
  width: number;
  height: number;
  data: Buffer;
  /** When the frame was taken (ms since the epoch). */
  at: number;
}

export interface FrameOptions {
  width: number;
  height: number;
  fps: number;
  signal: AbortSignal;
}

export interface CameraBase {
  /** The camera's id from the config (also its name in logs and errors). */
  readonly id: string;
  readonly kind: CameraKind;
  details(o?: CallOptions): Promise<CameraDetails>;
  /** A JPEG. */
  snapshot(o?: CallOptions): Promise<Buffer>;
  /** The camera's event stream (reconnects on its own until the signal aborts). */
  events?(signal: AbortSignal): AsyncIterable<CameraEvent>;
  /** Camera-side manual recording (Hikvision: to its own storage). */
  startRecording?(o?: CallOptions): Promise<void>;
  stopRecording?(o?: CallOptions): Promise<void>;
  /** Records a clip to a local file; resolves once the file is whole and renamed. */
  recordClip?(request: ClipRequest): Promise<ClipInfo>;
  /** Low-resolution gray frames at a few fps until the signal aborts. */
  frames?(options: FrameOptions): AsyncIterable<GrayFrame>;
  /** Longest overlay text the device takes. */
  textLimit?(o?: CallOptions): Promise<number>;
  /** Live video as an ffmpeg input (HomeKit streams it); close it when done. */
  liveVideo?(o?: CallOptions): Promise<LiveVideo>;
  /** How the camera is reached right now (P2P: lan, direct, p2p or relay). */
  connectionPath?(): string | undefined;
  /** Releases every socket, timer and child process. Idempotent. */
  close(): Promise<void>;
}

export interface HikvisionCamera extends CameraBase {
  readonly kind: 'hikvision';
  readonly client: HikvisionClient;
  /** The configured video channel (1-based). */
  readonly channel: number;
  events(signal: AbortSignal): AsyncIterable<CameraEvent>;
  startRecording(o?: CallOptions): Promise<void>;
  stopRecording(o?: CallOptions): Promise<void>;
  textLimit(o?: CallOptions): Promise<number>;
  liveVideo(o?: CallOptions): Promise<LiveVideo>;
}

export interface P2pCamera extends CameraBase {
  readonly kind: 'p2p';
  readonly client: TrailCamClient;
  liveVideo(o?: CallOptions): Promise<LiveVideo>;
  connectionPath(): string | undefined;
}

export interface RtspCamera extends CameraBase {
  readonly kind: 'rtsp';
  readonly client: RtspClient;
  liveVideo(o?: CallOptions): Promise<LiveVideo>;
  recordClip(request: ClipRequest): Promise<ClipInfo>;
  frames(options: FrameOptions): AsyncIterable<GrayFrame>;
}

export interface RingCamera extends CameraBase {
  readonly kind: 'ring';
  readonly client: RingClient;
  liveVideo(o?: CallOptions): Promise<LiveVideo>;
  events(signal: AbortSignal): AsyncIterable<CameraEvent>;
}

export type Camera = HikvisionCamera | P2pCamera | RtspCamera | RingCamera;

export function createCamera(config: CameraConfig, logger?: Logger): Camera {
  switch (config.type) {
    case 'hikvision':
      return hikvisionCamera(config, logger);
    case 'p2p':
      return p2pCamera(config, logger);
    case 'rtsp':
      return rtspCamera(config, logger);
    case 'ring':
      return ringCamera(config, logger);
  }
}

function ringCamera(config: RingCameraConfig, logger: Logger | undefined): RingCamera {
  const client = new RingClient(config, logger);
  return {
    kind: 'ring',
    id: config.id,
    client,
    async details(o = {}) {
      const device = await client.device(o);
      const data = device.data as { device_id?: string; firmware_version?: string };
      return {
        manufacturer: 'Ring',
        model: device.model,
        doorbell: device.isDoorbot,
        ...(data.device_id === undefined ? {} : { serialNumber: data.device_id }),
        ...(data.firmware_version === undefined ? {} : { firmware: data.firmware_version }),
      };
    },
    snapshot: (o = {}) => client.snapshot(o),
    events: (signal) => client.events(signal),
    liveVideo: (o = {}) => client.liveVideo(o),
    close: () => client.close(),
  };
}

function rtspCamera(config: RtspCameraConfig, logger: Logger | undefined): RtspCamera {
  const client = new RtspClient(config, logger);
  // The pre-event buffer starts with the first use: constructors do no I/O.
  const buffered = (): Promise<void> => client.startBuffer();
  return {
    kind: 'rtsp',
    id: config.id,
    client,
    async details(o = {}) {
      await buffered();
      const stream = await client.probe(o);
      return { manufacturer: 'RTSP', ...(stream.codec === undefined ? {} : { model: `${stream.codec.toUpperCase()} ${stream.width ?? '?'}x${stream.height ?? '?'}` }) };
    },
    snapshot: (o = {}) => client.snapshot(o),
    async recordClip(request) {
      await buffered();
      const clip = await client.recordClip(request);
      return { camera: config.id, ...clip };
    },
    frames: (options) => client.frames(options),
    liveVideo: () => Promise.resolve(urlLiveVideo(client.source.url, streamInputArgs(client.source))),
    close: () => client.close(),
  };
}

function hikvisionCamera(config: HikvisionCameraConfig, logger: Logger | undefined): HikvisionCamera {
  const client = HikvisionClient.fromConfig(config, logger);
  // Track 101 is channel 1's main stream: ISAPI numbers tracks channel * 100 + 1.
  const track = config.channel * 100 + 1;
  return {
    kind: 'hikvision',
    id: config.id,
    client,
    channel: config.channel,
    async details(o = {}) {
      const info = await client.deviceInfo(o);
      return {
        // Firmware reports the brand in lower case (`hikvision`); registries show it as a name.
        manufacturer: capitalize(info.manufacturer ?? 'Hikvision'),
        model: info.model,
        serialNumber: info.serialNumber,
        firmware: info.firmwareVersion,
      };
    },
    snapshot: (o = {}) => client.snapshot(config.channel, o),
    events: (signal) => client.events({ signal }),
    startRecording: (o = {}) => client.startRecording(track, o),
    stopRecording: (o = {}) => client.stopRecording(track, o),
    textLimit: (o = {}) => client.textLimit(config.channel, o),
    // The camera's own RTSP server (port 554), main stream of the channel, credentials in the URL.
    liveVideo: () => Promise.resolve(urlLiveVideo(hikvisionStreamUrl(config))),
    close: () => client.close(),
  };
}

function p2pCamera(config: P2pCameraConfig, logger: Logger | undefined): P2pCamera {
  const client = TrailCamClient.fromConfig(config, logger);
  /** Returns at once when connected, joins a connect under way, races again after a drop. */
  const connected = async (o: CallOptions): Promise<void> => {
    if (client.connected) return;
    await client.close(); // a dropped session: free its socket before racing again
    await client.connect(o.signal === undefined ? {} : { signal: o.signal });
  };
  return {
    kind: 'p2p',
    id: config.id,
    client,
    async details(o = {}) {
      await connected(o);
      const info = await client.deviceInfo(o);
      const text = (key: string): string | undefined => (typeof info[key] === 'string' && info[key] !== '' ? info[key] : undefined);
      const details: CameraDetails = { manufacturer: 'TrailCam' };
      const model = text('modelName');
      const firmware = text('fwVerName');
      if (model !== undefined) details.model = model;
      if (firmware !== undefined) details.firmware = firmware;
      return details;
    },
    /** The newest photo's thumbnail; `timeoutMs` is not used (the client's timeout is). */
    async snapshot(o = {}) {
      const signal = o.signal === undefined ? {} : { signal: o.signal };
      await connected(o);
      try {
        return await client.snapshot(signal);
      } catch (error) {
        // The session closed under the request (the camera dropped it): connect again, once.
        if (!(error instanceof ConnectionError) || o.signal?.aborted === true) throw error;
        await connected(o);
        return client.snapshot(signal);
      }
    },
    liveVideo: (o = {}) => p2pLiveVideo({ client, connect: connected, what: `camera ${config.id}`, ...(logger === undefined ? {} : { logger: logger.child(config.id) }) }, o),
    connectionPath: () => (client.connected ? client.lastReport?.mode : undefined),
    close: () => client.close(),
  };
}

function hikvisionStreamUrl(config: HikvisionCameraConfig): string {
  const auth = config.username === undefined ? '' : `${encodeURIComponent(config.username)}:${encodeURIComponent(config.password ?? '')}@`;
  return `rtsp://${auth}${config.host}:554/Streaming/Channels/${config.channel}01`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
