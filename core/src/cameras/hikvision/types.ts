import { CamflowError, ProtocolError, type CamflowErrorOptions } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { TlsOption } from '../../config/common.js';

/** Per-call options: every network call can be cancelled and has its own deadline. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-request timeout for this call. */
  timeoutMs?: number;
}

export interface HikvisionClientOptions {
  host: string;
  /** Default 80, or 443 with TLS. */
  port?: number;
  tls?: TlsOption;
  username: string;
  password: string;
  /** Per request, default 5000. */
  timeoutMs?: number;
  /** Keep-alive pool cap, default 4. */
  connections?: number;
  /** After an AuthError, refuse calls for this long (default 300000): cameras lock out after ~7 failures. */
  authBackoffMs?: number;
  /** Answer `401 Basic` over plain HTTP (the password goes readable), default false. */
  allowBasicOverHttp?: boolean;
  /** Idle watchdog for the alert stream (heartbeats come every 10 s), default 35000. */
  eventIdleTimeoutMs?: number;
  /** An active event with no refresh for this long becomes inactive, default 5000. */
  eventHoldMs?: number;
  /** Reconnect back-off of the alert stream: first delay and cap, defaults 1000 and 30000. */
  eventReconnectMs?: { initial: number; max: number };
  /**
   * The clock the device reads search times in and reports recordings in: `utc` (default here; the
   * camera config's default is `local`), `local` (this host's zone) or an IANA zone.
   */
  timeZone?: string;
  logger?: Logger;
  /** Shown in logs and error messages, e.g. the camera id. */
  name?: string;
}

/** `GET /ISAPI/System/deviceInfo`, fields by local name. Unknown fields land in `extra`. */
export interface DeviceInfo {
  deviceName: string;
  deviceID: string;
  model: string;
  serialNumber: string;
  macAddress: string;
  firmwareVersion: string;
  firmwareReleasedDate?: string;
  deviceType?: string;
  hardwareVersion?: string;
  manufacturer?: string;
  /** Every other simple element of the document, by local name. */
  extra: Record<string, string>;
}

export interface TextOverlay {
  id: number;
  enabled: boolean;
  text: string;
  positionX?: number;
  positionY?: number;
}

export interface TextOverlayUpdate {
  id: number;
  text: string;
  enabled?: boolean;
}

export type EventState = 'active' | 'inactive';

/** One event from the alert stream. `type` is lower-case (`vmd`, `linedetection`, `io`, ...). */
export interface CameraEvent {
  type: string;
  state: EventState;
  channel: number;
  time: Date;
  description?: string;
  /** The source's own id for this event when it has one (a Ring ding id), so it is handled once. */
  id?: string;
}

/**
 * The shared alert stream's state. `connecting`: first attempt after the first consumer subscribed;
 * `connected`: the camera answered 200 and the multipart body started; `reconnecting`: the stream
 * failed or ended and is retried after `retryInMs`; `auth_failed`: the credentials were rejected and
 * one attempt is made after the client's auth back-off (`retryInMs`); `idle`: no consumer, or closed.
 */
export type EventStreamState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'auth_failed';

export interface EventStreamStatus {
  state: EventStreamState;
  /** Why the stream is not connected (reconnecting, auth_failed). */
  error?: Error;
  /** Delay before the next attempt (reconnecting, auth_failed). */
  retryInMs?: number;
}

/** Events of a HikvisionClient. `event-stream` fires on every change of the alert stream's state. */
export interface HikvisionClientEvents {
  'event-stream': EventStreamStatus;
}

export interface RecordingQuery {
  from: Date;
  to: Date;
  /** Record track, default 101 (channel 1 main stream). */
  track?: number;
}

export interface RecordingMatch {
  trackId: number;
  startTime: Date;
  endTime: Date;
  /** Unescaped (plain `&`); the client escapes it again when embedding it in XML. */
  playbackURI: string;
  size?: number;
}

export interface DownloadProgress {
  bytes: number;
  total?: number;
}

export interface DownloadOptions {
  onProgress?: (progress: DownloadProgress) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A `ResponseStatus` from the device that says no. */
export class IsapiError extends ProtocolError {
  override readonly code: string = 'ISAPI_ERROR';
  readonly statusCode: number;
  readonly subStatusCode: string;
  readonly statusString: string;
  readonly httpStatus: number;

  constructor(
    message: string,
    status: { statusCode: number; subStatusCode: string; statusString: string; httpStatus: number },
    options?: CamflowErrorOptions,
  ) {
    super(message, options);
    this.statusCode = status.statusCode;
    this.subStatusCode = status.subStatusCode;
    this.statusString = status.statusString;
    this.httpStatus = status.httpStatus;
  }
}

/** An overlay text longer than the device takes. Raised before anything is sent. */
export class TextTooLongError extends CamflowError {
  override readonly code: string = 'TEXT_TOO_LONG';
  readonly overlayId: number;
  readonly length: number;
  readonly limit: number;

  constructor(overlayId: number, length: number, limit: number, camera: string) {
    super(`${camera}: overlay ${overlayId} text has ${length} characters; the device allows ${limit}`);
    this.overlayId = overlayId;
    this.length = length;
    this.limit = limit;
  }
}
