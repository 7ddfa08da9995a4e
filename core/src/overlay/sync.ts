/**
 * Overlay sync: keeps the text overlays of many cameras current. Each cycle renders every template and
 * writes, concurrently on all cameras, only the text that changed (one request per camera when the
 * device takes a list). Cycles schedule themselves: the next starts one interval after the last
 * started, never overlapping; an overrun is logged and the next cycle starts at once. A camera that is
 * still busy when the interval is up no longer holds the cycle: the others keep their pace.
 */
import { HikvisionClient } from '../cameras/hikvision/client.js';
import type { HikvisionCameraConfig } from '../config/camera.js';
import type { CamflowConfig } from '../config/schema.js';
import { AbortError, ensureError } from '../errors.js';
import { TypedEmitter } from '../events.js';
import { type Logger, noopLogger } from '../log.js';
import { CameraSync } from './camera-sync.js';
import { overlayCameraSpec } from './spec.js';
import type { OverlayTarget } from './target.js';
import type { TemplateValue } from './template.js';
import type {
  CameraCycleResult,
  CameraStateChange,
  CameraStatus,
  CycleContext,
  CycleReport,
  OverlayCameraSpec,
  OverlayOutcome,
  OverlaySyncEvents,
  SkipReason,
} from './types.js';
import { type CameraValidation, validateCamera } from './validate.js';

export interface OverlaySyncOptions {
  cameras: readonly OverlayCameraSpec[];
  /** Time from the start of one cycle to the start of the next. Default 1000. */
  intervalMs?: number;
  /** Per request. Default 3000. */
  timeoutMs?: number;
  /** Every overlay is re-written this often even when unchanged (a rebooted camera loses nothing). Default 300000. */
  resyncMs?: number;
  logger?: Logger;
  /** Initial template values. */
  values?: Readonly<Record<string, TemplateValue>>;
  /** Shown for `value.NAME` before it is set. Default `--`. */
  missingValue?: string;
  /** A failing camera waits initialMs, doubling up to maxMs, each with jitter. Defaults 1000 and 60000. */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Log a line per written overlay at info level. Default true. */
  logUpdates?: boolean;
  /** Jitter source in [0, 1). Default Math.random. */
  random?: () => number;
}

export interface OverlaySyncFromConfigOptions extends Omit<OverlaySyncOptions, 'cameras' | 'intervalMs' | 'timeoutMs' | 'resyncMs'> {
  /** Default: a HikvisionClient per camera, closed by stop(). */
  createTarget?: (camera: HikvisionCameraConfig, logger: Logger) => OverlayTarget;
  /** Only these cameras (default: every Hikvision camera). */
  cameraIds?: readonly string[];
}

export class OverlaySync extends TypedEmitter<OverlaySyncEvents> {
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly resyncMs: number;
  readonly #logger: Logger;
  readonly #cameras = new Map<string, CameraSync>();
  readonly #values = new Map<string, TemplateValue>();
  readonly #missing: string;
  #controller = new AbortController();
  #cycle = 0;
  #running = false;
  #loop: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  /** Cycles run one after another: the loop and runOnce() queue here. */
  #queue: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | undefined;
  #sleepTimer: NodeJS.Timeout | undefined;

  /** Parses every template (throws TemplateError); does no I/O. */
  constructor(options: OverlaySyncOptions) {
    super({ onListenerError: (error, event) => this.#logger.error(`A '${event}' listener failed: ${ensureError(error).message}`) });
    this.#logger = options.logger ?? noopLogger;
    this.intervalMs = positive(options.intervalMs ?? 1000, 'intervalMs');
    this.timeoutMs = positive(options.timeoutMs ?? 3000, 'timeoutMs');
    this.resyncMs = positive(options.resyncMs ?? 300_000, 'resyncMs');
    this.#missing = options.missingValue ?? '--';
    for (const [name, value] of Object.entries(options.values ?? {})) this.#values.set(name, value);
    const cameraOptions = {
      logger: this.#logger,
      logUpdates: options.logUpdates ?? true,
      backoffInitialMs: positive(options.backoff?.initialMs ?? 1000, 'backoff.initialMs'),
      backoffMaxMs: positive(options.backoff?.maxMs ?? 60_000, 'backoff.maxMs'),
      random: options.random ?? Math.random,
      onOutcome: (outcome: OverlayOutcome) => {
        if (outcome.status !== 'unchanged') this.emit('overlay', outcome);
      },
      onStateChange: (change: CameraStateChange) => this.emit('camera-state', change),
    };
    for (const spec of options.cameras) {
      if (this.#cameras.has(spec.id)) throw new TypeError(`duplicate camera id '${spec.id}'`);
      this.#cameras.set(spec.id, new CameraSync(spec, cameraOptions));
    }
  }

  /** The engine for a camflow.yaml: every Hikvision camera with its overlays and `overlay_sync` timing. */
  static fromConfig(config: CamflowConfig, options: OverlaySyncFromConfigOptions = {}): OverlaySync {
    const { createTarget, cameraIds, ...rest } = options;
    const logger = options.logger ?? noopLogger;
    const create = createTarget ?? ((camera: HikvisionCameraConfig, log: Logger) => HikvisionClient.fromConfig(camera, log));
    const unknown = (cameraIds ?? []).filter((id) => !config.cameras.some((camera) => camera.id === id && camera.type === 'hikvision'));
    if (unknown.length > 0) throw new TypeError(`no Hikvision camera with id ${unknown.map((id) => `'${id}'`).join(', ')} in the config`);
    const cameras: OverlayCameraSpec[] = [];
    for (const camera of config.cameras) {
      if (camera.type !== 'hikvision' || (cameraIds !== undefined && !cameraIds.includes(camera.id))) continue;
      cameras.push(overlayCameraSpec(camera, () => create(camera, logger.child(camera.id))));
    }
    return new OverlaySync({
      ...rest,
      cameras,
      intervalMs: config.overlay_sync.interval,
      timeoutMs: config.overlay_sync.timeout,
      resyncMs: config.overlay_sync.resync,
    });
  }

  get running(): boolean {
    return this.#running;
  }

  /** Number of the last cycle started (the `counter` of templates). */
  get cycle(): number {
    return this.#cycle;
  }

  /** Starts the loop; the first cycle begins at once. Idempotent. */
  start(): void {
    if (this.#running) return;
    if (this.#stopping !== undefined) {
      // Start once the stop in progress has released everything, with a fresh abort signal.
      void this.#stopping.then(() => this.start());
      return;
    }
    this.#running = true;
    this.#loop = this.#runLoop().catch((error: unknown) => {
      this.#logger.error(`Overlay sync loop failed: ${ensureError(error).message}`);
    });
  }

  /** Stops the loop, aborts requests in flight and closes every connection the engine opened. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop().finally(() => {
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  /**
   * Runs one cycle now (after the one in progress, if any) and waits for every camera in it. Opens
   * connections: call stop() to release them.
   */
  runOnce(): Promise<CycleReport> {
    return this.#exclusive(() => this.#runCycle(false));
  }

  setValue(name: string, value: TemplateValue): void {
    if (value === null) this.#values.delete(name);
    else this.#values.set(name, value);
  }

  getValue(name: string): TemplateValue {
    return this.#values.get(name) ?? null;
  }

  /** A disabled camera is left alone; enabling it again (also after it was parked) re-writes everything. */
  setEnabled(cameraId: string, on: boolean): void {
    this.#camera(cameraId).setEnabled(on);
  }

  /** Replaces (or adds) an overlay's template; written in the next cycle. Throws TemplateError. */
  setOverlayText(cameraId: string, overlayId: number, text: string): void {
    if (!Number.isInteger(overlayId) || overlayId < 1) throw new TypeError(`overlay id must be a positive integer, got ${overlayId}`);
    this.#camera(cameraId).setOverlayText(overlayId, text);
  }

  /**
   * Stops keeping one overlay current, e.g. when the Node-RED node that set it is deleted; the camera
   * keeps the last text written. Returns false when that overlay was not synced.
   */
  removeOverlay(cameraId: string, overlayId: number): boolean {
    return this.#camera(cameraId).removeOverlay(overlayId);
  }

  /** Contacts every camera once (concurrently) and checks reachability, credentials, overlay ids and text limits. */
  validate(): Promise<CameraValidation[]> {
    const context = this.context(Math.max(1, this.#cycle));
    return Promise.all([...this.#cameras.values()].map((camera) => validateCamera(camera, context)));
  }

  status(): CameraStatus[] {
    return [...this.#cameras.values()].map((camera) => ({
      id: camera.id,
      name: camera.name,
      state: camera.state,
      overlays: Object.fromEntries(camera.lastWritten()),
    }));
  }

  /** The cameras, for checks such as `camflow overlay sync --validate`. */
  cameras(): readonly CameraSync[] {
    return [...this.#cameras.values()];
  }

  /** The context a cycle numbered `cycle` would render with now. */
  context(cycle = this.#cycle): CycleContext {
    return {
      cycle,
      now: new Date(),
      values: this.#values,
      missing: this.#missing,
      timeoutMs: this.timeoutMs,
      resyncMs: this.resyncMs,
      signal: this.#controller.signal,
    };
  }

  #camera(cameraId: string): CameraSync {
    const camera = this.#cameras.get(cameraId);
    if (camera === undefined) throw new TypeError(`unknown camera '${cameraId}' (have ${[...this.#cameras.keys()].join(', ')})`);
    return camera;
  }

  async #runLoop(): Promise<void> {
    while (this.#running) {
      const report = await this.#exclusive(() => this.#runCycle(true));
      if (!this.#running) break;
      const due = report.startedAt.getTime() + this.intervalMs;
      if (report.overrunMs > 0) {
        this.#logger.warn(overrunMessage(report, this.intervalMs));
        // Yield once so stop() and timers get their turn, then go on at once.
        await this.#sleep(0);
      } else {
        await this.#sleep(due - Date.now());
      }
    }
  }

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /**
   * One cycle. `detach`: a camera still working when the interval is up, while another camera of the
   * cycle has finished, stops holding the cycle (it goes on alone and sits out cycles while busy).
   */
  async #runCycle(detach: boolean): Promise<CycleReport> {
    const cycle = ++this.#cycle;
    const started = performance.now();
    const startedAt = new Date();
    const context = { ...this.context(cycle), now: startedAt };
    const skipped: Record<string, SkipReason> = {};
    const running = new Map<string, Promise<CameraCycleResult>>();
    for (const camera of this.#cameras.values()) {
      const reason = camera.skipReason(started);
      if (reason === undefined) running.set(camera.id, camera.run(context));
      else skipped[camera.id] = reason;
    }
    const { results, late, detached } = await collect(running, detach ? this.intervalMs : undefined, this.#controller.signal);
    const durationMs = performance.now() - started;
    const report: CycleReport = {
      cycle,
      startedAt,
      durationMs,
      updated: 0,
      unchanged: 0,
      failed: 0,
      cameras: {},
      skipped,
      late,
      errors: {},
      overrunMs: detach && !detached ? Math.max(0, durationMs - this.intervalMs) : 0,
    };
    for (const result of results) {
      report.cameras[result.cameraId] = Math.round(result.ms);
      for (const outcome of result.outcomes) report[outcome.status]++;
      if (result.error !== undefined) report.errors[result.cameraId] = result.error;
    }
    for (const [id, reason] of Object.entries(skipped)) {
      if (reason !== 'backoff' && reason !== 'parked') continue;
      report.errors[id] = this.#cameras.get(id)?.lastError ?? (reason === 'parked' ? 'credentials were refused' : 'failing');
    }
    this.#logger.debug(
      `Sync cycle ${cycle}: ${report.updated} updated, ${report.unchanged} unchanged, ${report.failed} failed in ${Math.round(durationMs)}ms`,
    );
    if (!this.#controller.signal.aborted) this.emit('cycle', report);
    return report;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = () => resolve();
      this.#sleepTimer = setTimeout(resolve, Math.max(0, ms));
    }).finally(() => {
      clearTimeout(this.#sleepTimer);
      this.#sleepTimer = undefined;
      this.#wake = undefined;
    });
  }

  async #stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    this.#controller.abort(new AbortError('overlay sync stopped'));
    await this.#loop;
    this.#loop = undefined;
    await this.#queue;
    // Cameras detached from a cycle may still be finishing their (now aborted) requests.
    await Promise.all([...this.#cameras.values()].flatMap((camera) => (camera.busy === undefined ? [] : [camera.busy])));
    const closing = await Promise.allSettled([...this.#cameras.values()].map((camera) => camera.close()));
    for (const result of closing) {
      if (result.status === 'rejected') this.#logger.warn(`Closing a camera failed: ${ensureError(result.reason).message}`);
    }
    // Stopped, not dead: start() or runOnce() may follow (a Node-RED redeploy, a HomeKit switch).
    this.#controller = new AbortController();
  }
}

/** `Sync cycle 3 completed in 1.023s. Sync took 0.023s longer than interval (1.0s). Starting next cycle immediately.` */
export function overrunMessage(report: Pick<CycleReport, 'cycle' | 'durationMs'>, intervalMs: number): string {
  const took = (report.durationMs / 1000).toFixed(3);
  const over = ((report.durationMs - intervalMs) / 1000).toFixed(3);
  return `Sync cycle ${report.cycle} completed in ${took}s. Sync took ${over}s longer than interval (${(intervalMs / 1000).toFixed(1)}s). Starting next cycle immediately.`;
}

/**
 * Waits for every camera, or, with `detachAfterMs`, until that time is up and at least one camera has
 * finished: the rest are reported late and finish on their own. An abort stops the waiting too.
 */
function collect(
  running: ReadonlyMap<string, Promise<CameraCycleResult>>,
  detachAfterMs: number | undefined,
  signal: AbortSignal,
): Promise<{ results: CameraCycleResult[]; late: string[]; detached: boolean }> {
  const results: CameraCycleResult[] = [];
  const pending = new Set(running.keys());
  return new Promise((resolve) => {
    let timeUp = false;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (detached: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ results, late: [...pending], detached });
    };
    const check = (): void => {
      if (pending.size === 0) finish(false);
      else if (timeUp && results.length > 0) finish(true);
    };
    const onAbort = (): void => finish(false);
    if (detachAfterMs !== undefined) {
      timer = setTimeout(() => {
        timeUp = true;
        check();
      }, detachAfterMs);
    }
    if (signal.aborted) {
      finish(false);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    for (const [id, work] of running) {
      void work.then((result) => {
        if (done) return;
        pending.delete(id);
        results.push(result);
        check();
      });
    }
    check();
  });
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}
