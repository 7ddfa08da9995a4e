import type { HikvisionCameraConfig } from '../../config/camera.js';
import type { Logger } from '../../log.js';
import type {
  CallOptions,
  CameraEvent,
  DeviceInfo,
  DownloadOptions,
  HikvisionClientOptions,
  RecordingMatch,
  RecordingQuery,
  TextOverlay,
  TextOverlayUpdate,
} from './types.js';

/** Hikvision ISAPI client. Skeleton: bodies land in the next commits. */
export class HikvisionClient {
  readonly options: HikvisionClientOptions;

  constructor(options: HikvisionClientOptions) {
    this.options = options;
  }

  static fromConfig(camera: HikvisionCameraConfig, logger?: Logger): HikvisionClient {
    return new HikvisionClient({
      host: camera.host,
      ...(camera.port === undefined ? {} : { port: camera.port }),
      tls: camera.tls,
      username: camera.username,
      password: camera.password,
      timeoutMs: camera.timeout,
      connections: camera.connections,
      authBackoffMs: camera.auth_backoff,
      name: camera.id,
      ...(logger === undefined ? {} : { logger }),
    });
  }

  deviceInfo(_o?: CallOptions): Promise<DeviceInfo> {
    return Promise.reject(new Error('not implemented'));
  }
  getTextOverlays(_channel: number, _o?: CallOptions): Promise<TextOverlay[]> {
    return Promise.reject(new Error('not implemented'));
  }
  setTextOverlay(_channel: number, _overlay: TextOverlayUpdate, _o?: CallOptions): Promise<void> {
    return Promise.reject(new Error('not implemented'));
  }
  setTextOverlays(_channel: number, _overlays: TextOverlayUpdate[], _o?: CallOptions): Promise<void> {
    return Promise.reject(new Error('not implemented'));
  }
  textLimit(_channel: number, _o?: CallOptions): Promise<number> {
    return Promise.reject(new Error('not implemented'));
  }
  snapshot(_channel: number, _o?: CallOptions): Promise<Buffer> {
    return Promise.reject(new Error('not implemented'));
  }
  // eslint-disable-next-line require-yield
  async *events(_o?: { signal?: AbortSignal }): AsyncIterable<CameraEvent> {
    throw new Error('not implemented');
  }
  startRecording(_track: number, _o?: CallOptions): Promise<void> {
    return Promise.reject(new Error('not implemented'));
  }
  stopRecording(_track: number, _o?: CallOptions): Promise<void> {
    return Promise.reject(new Error('not implemented'));
  }
  searchRecordings(_q: RecordingQuery, _o?: CallOptions): Promise<RecordingMatch[]> {
    return Promise.reject(new Error('not implemented'));
  }
  downloadRecording(_playbackURI: string, _destPath: string, _o?: DownloadOptions): Promise<{ path: string; bytes: number }> {
    return Promise.reject(new Error('not implemented'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
