/** Shapes shared by the overlay sync engine, its cameras and its front-ends. */
import type { OverlayTarget } from './target.js';
import type { TemplateValue } from './template.js';

export interface OverlaySpec {
  id: number;
  /** A template (see Template). */
  text: string;
  /** A rendered text longer than the device allows: cut it (with a warning) or fail the overlay. */
  overflow?: 'truncate' | 'error';
  /** false: leave this overlay alone. */
  enabled?: boolean;
}

export interface OverlayCameraSpec {
  id: string;
  /** Shown in log lines. Default: the id. */
  name?: string;
  /** Video input channel. Default 1. */
  channel?: number;
  /** Concurrent requests to this camera when writing overlay by overlay. Default 4. */
  connections?: number;
  /** One request per camera per cycle (the device's list PUT). Default true. */
  batch?: boolean;
  /** How long a camera that rejected the credentials stays parked. Default 5 minutes. */
  authRetryMs?: number;
  overlays: readonly OverlaySpec[];
  /** A target the caller owns (the engine never closes it)... */
  target?: OverlayTarget;
  /** ...or a factory: created on first use, closed by stop(). */
  createTarget?: () => OverlayTarget;
}

export type CameraSyncState = 'idle' | 'ok' | 'backoff' | 'parked' | 'disabled';
export type SkipReason = 'busy' | 'backoff' | 'parked' | 'disabled';

export interface OverlayOutcome {
  cycle: number;
  cameraId: string;
  cameraName: string;
  overlayId: number;
  status: 'updated' | 'unchanged' | 'failed';
  /** The rendered text (after truncation). */
  text: string;
  /** Time of the request that wrote it (0 when nothing was sent). */
  ms: number;
  truncated: boolean;
  error?: string;
}

export interface CameraCycleResult {
  cameraId: string;
  /** Wall time of this camera's work in the cycle. */
  ms: number;
  outcomes: OverlayOutcome[];
  /** Why the camera as a whole failed this cycle (unreachable, credentials refused, ...). */
  error?: string;
}

export interface CameraStateChange {
  cameraId: string;
  cameraName: string;
  state: CameraSyncState;
  previous: CameraSyncState;
  /** Why it failed (backoff, parked). */
  reason?: string;
  /** When it will be tried again (backoff, parked). */
  retryAt?: Date;
}

/** What the engine hands a camera for one cycle. */
export interface CycleContext {
  cycle: number;
  now: Date;
  values: ReadonlyMap<string, TemplateValue>;
  missing: string;
  timeoutMs: number;
  resyncMs: number;
  signal: AbortSignal;
}

export interface CycleReport {
  cycle: number;
  startedAt: Date;
  durationMs: number;
  updated: number;
  unchanged: number;
  failed: number;
  /** Milliseconds of each camera that took part and finished within the cycle. */
  cameras: Record<string, number>;
  /** Cameras that sat this cycle out, and why. */
  skipped: Record<string, SkipReason>;
  /** Cameras still working when the interval was up; the cycle did not wait for them. */
  late: string[];
  /**
   * Cameras that could not be synced in this cycle, and why: failed now, or sitting it out (backoff,
   * parked) because of a failure before. Empty when every camera is fine.
   */
  errors: Record<string, string>;
  /** How much longer than the interval the cycle took (0 when within it, or when run by runOnce). */
  overrunMs: number;
}

// A type alias (not an interface) so it fits TypedEmitter's Record<string, unknown> constraint.
export type OverlaySyncEvents = {
  cycle: CycleReport;
  overlay: OverlayOutcome;
  'camera-state': CameraStateChange;
};

export interface CameraStatus {
  id: string;
  name: string;
  state: CameraSyncState;
  /** Text last written, per overlay id. */
  overlays: Record<number, string>;
}
