/**
 * What the bridge needs from a camera, over core's clients. One small adapter per camera kind; the
 * features only see this interface, so a P2P trail camera and a Hikvision differ in one table.
 */
import {
  type CallOptions,
  type CameraConfig,
  type CameraEvent,
  createCamera,
  type HikvisionCamera,
  type HikvisionClient,
  type Logger,
  type P2pCamera,
  type TrailCamClient,
} from '@camflow/core';
import type { CameraDetails, CameraKind } from './discovery.js';

export interface CameraSource {
  readonly kind: CameraKind;
  details(options: CallOptions): Promise<CameraDetails>;
  snapshot(options: CallOptions): Promise<Buffer>;
  /** The camera's event stream (reconnects on its own); absent when the camera has none. */
  events?(signal: AbortSignal): AsyncIterable<CameraEvent>;
  startRecording?(options: CallOptions): Promise<void>;
  stopRecording?(options: CallOptions): Promise<void>;
  /** Longest overlay text the device takes. */
  textLimit?(options: CallOptions): Promise<number>;
  /** How the camera is reached right now (P2P: lan, direct, p2p or relay). */
  connectionPath?(): string | undefined;
  close(): Promise<void>;
}

export class HikvisionSource implements CameraSource {
  readonly kind = 'hikvision';
  readonly client: HikvisionClient;
  readonly #camera: HikvisionCamera;
  readonly #channel: number;

  constructor(camera: HikvisionCamera) {
    this.#camera = camera;
    this.client = camera.client;
    this.#channel = camera.channel;
  }

  async details(options: CallOptions): Promise<CameraDetails> {
    const info = await this.client.deviceInfo(options);
    return {
      // Firmware reports the brand in lower case (`hikvision`); Home Assistant shows it as a name.
      manufacturer: capitalize(info.manufacturer ?? 'Hikvision'),
      model: info.model,
      serialNumber: info.serialNumber,
      firmware: info.firmwareVersion,
    };
  }

  snapshot(options: CallOptions): Promise<Buffer> {
    return this.#camera.snapshot(options);
  }

  events(signal: AbortSignal): AsyncIterable<CameraEvent> {
    return this.client.events({ signal });
  }

  /** Track 101 is channel 1's main stream: ISAPI numbers tracks channel * 100 + 1. */
  startRecording(options: CallOptions): Promise<void> {
    return this.client.startRecording(this.#channel * 100 + 1, options);
  }

  stopRecording(options: CallOptions): Promise<void> {
    return this.client.stopRecording(this.#channel * 100 + 1, options);
  }

  textLimit(options: CallOptions): Promise<number> {
    return this.client.textLimit(this.#channel, options);
  }

  close(): Promise<void> {
    return this.#camera.close();
  }
}

/**
 * A TrailCam over P2P: connects (racing every path) on first use and again after the session drops;
 * the snapshot is the newest photo's thumbnail. Reports which path won for the diagnostics sensor.
 */
export class P2pSource implements CameraSource {
  readonly kind = 'p2p';
  readonly client: TrailCamClient;

  constructor(camera: P2pCamera) {
    this.client = camera.client;
  }

  async details(options: CallOptions): Promise<CameraDetails> {
    await this.#connected(options);
    const info = await this.client.deviceInfo(options);
    const text = (key: string): string | undefined => (typeof info[key] === 'string' && info[key] !== '' ? info[key] : undefined);
    const details: CameraDetails = {};
    const model = text('modelName');
    const firmware = text('fwVerName');
    if (model !== undefined) details.model = model;
    if (firmware !== undefined) details.firmware = firmware;
    return details;
  }

  async snapshot(options: CallOptions): Promise<Buffer> {
    await this.#connected(options);
    return this.client.snapshot(options);
  }

  connectionPath(): string | undefined {
    return this.client.connected ? this.client.lastReport?.mode : undefined;
  }

  close(): Promise<void> {
    return this.client.close();
  }

  async #connected(options: CallOptions): Promise<void> {
    if (this.client.connected) return;
    await this.client.close(); // a dropped session: free its socket before racing again
    await this.client.connect(options.signal === undefined ? {} : { signal: options.signal });
  }
}

export type SourceFactory = (camera: CameraConfig, logger: Logger) => CameraSource;

/** Core's createCamera decides the client per kind; the bridge only adds what its features need. */
export const createCameraSource: SourceFactory = (config, logger) => {
  const camera = createCamera(config, logger);
  return camera.kind === 'hikvision' ? new HikvisionSource(camera) : new P2pSource(camera);
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
