/**
 * What the bridge needs from a camera, over core's clients. One small adapter per camera kind; the
 * features only see this interface, so a P2P trail camera and a Hikvision differ in one table.
 */
import {
  type CallOptions,
  type CameraConfig,
  type CameraEvent,
  HikvisionClient,
  type HikvisionCameraConfig,
  type Logger,
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
  readonly #channel: number;

  constructor(camera: HikvisionCameraConfig, logger: Logger) {
    this.client = HikvisionClient.fromConfig(camera, logger);
    this.#channel = camera.channel;
  }

  async details(options: CallOptions): Promise<CameraDetails> {
    const info = await this.client.deviceInfo(options);
    return {
      manufacturer: info.manufacturer ?? 'Hikvision',
      model: info.model,
      serialNumber: info.serialNumber,
      firmware: info.firmwareVersion,
    };
  }

  snapshot(options: CallOptions): Promise<Buffer> {
    return this.client.snapshot(this.#channel, options);
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
    return this.client.close();
  }
}

export type SourceFactory = (camera: CameraConfig, logger: Logger) => CameraSource;

export const createCameraSource: SourceFactory = (camera, logger) => {
  switch (camera.type) {
    case 'hikvision':
      return new HikvisionSource(camera, logger);
    case 'p2p':
      throw new Error(`camera '${camera.id}': P2P cameras are not supported by the bridge yet`);
  }
};
