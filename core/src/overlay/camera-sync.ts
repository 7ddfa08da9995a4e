/**
 * One camera's part of overlay sync: its templates, what was last written, and its health. A camera
 * works on its own: a slow one keeps its own promise (the engine does not wait for it forever), a
 * failing one backs off with jitter and is re-read and fully re-written when it answers again, and one
 * that rejects the credentials is parked, so we never walk into the device's login lockout.
 */
import { AuthError, ensureError, isAbortError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DeviceTextOverlay, OverlayCallOptions, OverlayTarget, OverlayTextUpdate } from './target.js';
import { Template } from './template.js';
import type {
  CameraCycleResult,
  CameraStateChange,
  CameraSyncState,
  CycleContext,
  OverlayCameraSpec,
  OverlayOutcome,
  OverlaySpec,
  SkipReason,
} from './types.js';

export interface CameraSyncOptions {
  logger: Logger;
  logUpdates: boolean;
  backoffInitialMs: number;
  backoffMaxMs: number;
  random: () => number;
  onOutcome: (outcome: OverlayOutcome) => void;
  onStateChange: (change: CameraStateChange) => void;
}

interface OverlayEntry {
  template: Template;
  overflow: 'truncate' | 'error';
  enabled: boolean;
}

/** What the device told us on first contact. */
export interface DeviceFacts {
  ids: ReadonlySet<number>;
  limit: number;
  overlays: readonly DeviceTextOverlay[];
}

const DEFAULT_AUTH_RETRY_MS = 300_000;

export class CameraSync {
  readonly id: string;
  readonly name: string;
  readonly #spec: OverlayCameraSpec;
  readonly #options: CameraSyncOptions;
  readonly #overlays = new Map<number, OverlayEntry>();
  readonly #lastWritten = new Map<number, string>();
  readonly #overflowWarned = new Set<number>();
  /** Overlays configured `enabled: false` that this engine has hidden since it last read the device. */
  readonly #hidden = new Set<number>();
  /** The last camera-level failure, until the camera works again. */
  #lastError: string | undefined;
  #target: OverlayTarget | undefined;
  #device: DeviceFacts | undefined;
  #state: CameraSyncState = 'idle';
  #enabled = true;
  #failures = 0;
  #retryAt = 0;
  #lastFullWriteAt = Number.NEGATIVE_INFINITY;
  #busy: Promise<CameraCycleResult> | undefined;

  /** Parses every template: throws TemplateError before anything runs. */
  constructor(spec: OverlayCameraSpec, options: CameraSyncOptions) {
    this.id = spec.id;
    this.name = spec.name ?? spec.id;
    this.#spec = spec;
    this.#options = options;
    for (const overlay of spec.overlays) this.setOverlayText(overlay.id, overlay.text, overlay);
  }

  get state(): CameraSyncState {
    return this.#enabled ? this.#state : 'disabled';
  }

  get busy(): Promise<CameraCycleResult> | undefined {
    return this.#busy;
  }

  /** Last text written per overlay id. */
  /** Why the camera last failed, while it has not worked since. */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  lastWritten(): ReadonlyMap<number, string> {
    return this.#lastWritten;
  }

  setOverlayText(overlayId: number, text: string, options: Omit<OverlaySpec, 'id' | 'text'> = {}): void {
    const previous = this.#overlays.get(overlayId);
    this.#overlays.set(overlayId, {
      template: Template.parse(text),
      overflow: options.overflow ?? previous?.overflow ?? 'truncate',
      enabled: options.enabled ?? previous?.enabled ?? true,
    });
    this.#overflowWarned.delete(overlayId);
  }

  /** Stops keeping `overlayId` current (the camera keeps its last text). True when it was synced. */
  removeOverlay(overlayId: number): boolean {
    this.#lastWritten.delete(overlayId);
    this.#overflowWarned.delete(overlayId);
    return this.#overlays.delete(overlayId);
  }

  setEnabled(on: boolean): void {
    if (on === this.#enabled) return;
    const previous = this.state;
    this.#enabled = on;
    if (on) {
      // The device may have changed while we looked away; and the user may have fixed the password.
      this.#forget();
      this.#state = this.#state === 'ok' ? 'ok' : 'idle';
      this.#failures = 0;
      this.#retryAt = 0;
    }
    this.#emitState(previous);
  }

  /** Why this camera sits out a cycle starting at `now` (performance.now()), or undefined to run it. */
  skipReason(now: number): SkipReason | undefined {
    if (!this.#enabled) return 'disabled';
    if (this.#busy !== undefined) return 'busy';
    if (this.#state === 'parked' && now < this.#retryAt) return 'parked';
    if (this.#state === 'backoff' && now < this.#retryAt) return 'backoff';
    return undefined;
  }

  /** Runs this camera's part of a cycle. Never rejects. */
  run(context: CycleContext): Promise<CameraCycleResult> {
    const work = this.#run(context).finally(() => {
      this.#busy = undefined;
    });
    this.#busy = work;
    return work;
  }

  /** Contacts the camera and checks what sync needs; throws what the camera threw. */
  async inspect(options: OverlayCallOptions): Promise<DeviceFacts> {
    const target = this.#ensureTarget();
    // Both at once: the client lets the first request learn the digest challenge and holds the other
    // until then, so this costs one round trip less than asking one after the other, and no extra 401.
    const [overlays, limit] = await Promise.all([
      target.getTextOverlays(this.#channel, options),
      // The target owns the fallback for a device without a capabilities document (one, cached, the
      // same for validation and for writes); what it throws here is a real failure.
      target.textLimit(this.#channel, options),
    ]);
    return { ids: new Set(overlays.map((overlay) => overlay.id)), limit, overlays };
  }

  /** The overlays that would be written now, rendered and checked against `limit`. */
  render(context: Pick<CycleContext, 'cycle' | 'now' | 'values' | 'missing'>, limit: number) {
    const rendered: { id: number; text: string; truncated: boolean; error?: string }[] = [];
    for (const [id, entry] of this.#overlays) {
      if (!entry.enabled) continue;
      const full = entry.template.render({ now: context.now, counter: context.cycle, values: context.values, missing: context.missing });
      const chars = [...full];
      if (chars.length <= limit) {
        rendered.push({ id, text: full, truncated: false });
      } else if (entry.overflow === 'error') {
        rendered.push({ id, text: full, truncated: false, error: `text is ${chars.length} characters; '${this.name}' allows ${limit}` });
      } else {
        rendered.push({ id, text: chars.slice(0, limit).join(''), truncated: true });
      }
    }
    return rendered;
  }

  async close(): Promise<void> {
    const target = this.#target;
    this.#target = undefined;
    this.#forget();
    if (target !== undefined && this.#spec.target === undefined) await target.close();
  }

  get #channel(): number {
    return this.#spec.channel ?? 1;
  }

  #ensureTarget(): OverlayTarget {
    if (this.#target !== undefined) return this.#target;
    const target = this.#spec.target ?? this.#spec.createTarget?.();
    if (target === undefined) throw new TypeError(`camera '${this.id}' has neither target nor createTarget`);
    this.#target = target;
    return target;
  }

  async #run(context: CycleContext): Promise<CameraCycleResult> {
    const started = performance.now();
    const outcomes: OverlayOutcome[] = [];
    const options: OverlayCallOptions = { signal: context.signal, timeoutMs: context.timeoutMs };
    try {
      // A camera with no overlay configured is not contacted at all.
      if (this.#overlays.size === 0) return { cameraId: this.id, ms: 0, outcomes };
      if (this.#device === undefined) this.#device = await this.#firstContact(options);
      else if (started - this.#lastFullWriteAt >= context.resyncMs) {
        // A resync reads the camera again before writing, so what was changed on the camera since (font
        // size, position, in its web UI) is kept rather than overwritten from the copy read at first contact.
        this.#device = await this.inspect(options);
        this.#hidden.clear();
      }
      const device = this.#device;
      const rendered = this.render(context, device.limit);
      const resync = started - this.#lastFullWriteAt >= context.resyncMs;
      const toWrite: OverlayTextUpdate[] = [];
      const truncated = new Set<number>();
      for (const item of rendered) {
        const base = { cycle: context.cycle, cameraId: this.id, cameraName: this.name, overlayId: item.id, text: item.text, truncated: item.truncated };
        const problem = item.error ?? (device.ids.has(item.id) ? undefined : this.#missingOverlay(item.id));
        if (problem !== undefined) outcomes.push(this.#report({ ...base, status: 'failed', ms: 0, error: problem }));
        else if (!resync && this.#lastWritten.get(item.id) === item.text) outcomes.push({ ...base, status: 'unchanged', ms: 0 });
        else toWrite.push({ id: item.id, text: item.text, enabled: true });
        if (item.truncated) {
          truncated.add(item.id);
          this.#warnTruncated(item.id, item.text);
        } else this.#overflowWarned.delete(item.id);
      }
      toWrite.push(...this.#toHide(device));
      const cameraError = await this.#write(toWrite, truncated, context, options, outcomes);
      if (cameraError !== undefined) throw cameraError;
      if (resync && toWrite.length > 0) this.#lastFullWriteAt = started;
      this.#healthy();
    } catch (error) {
      if (!(context.signal.aborted && isAbortError(error))) {
        this.#failed(ensureError(error), performance.now() - started);
        return { cameraId: this.id, ms: performance.now() - started, outcomes, error: describe(ensureError(error)) };
      }
    }
    return { cameraId: this.id, ms: performance.now() - started, outcomes };
  }

  /**
   * Overlays configured `enabled: false` that the device shows: hidden with their current text, once
   * per reading of the device (a resync or first contact looks again).
   */
  #toHide(device: DeviceFacts): OverlayTextUpdate[] {
    const out: OverlayTextUpdate[] = [];
    for (const [id, entry] of this.#overlays) {
      if (entry.enabled || this.#hidden.has(id)) continue;
      const shown = device.overlays.find((overlay) => overlay.id === id);
      if (shown === undefined || !shown.enabled) continue;
      out.push({ id, text: shown.text, enabled: false });
    }
    return out;
  }

  async #firstContact(options: OverlayCallOptions): Promise<DeviceFacts> {
    const device = await this.inspect(options);
    // Everything is written again after first contact: the camera may have rebooted or been reset.
    this.#lastWritten.clear();
    this.#hidden.clear();
    this.#lastFullWriteAt = Number.NEGATIVE_INFINITY;
    return device;
  }

  /**
   * Writes `updates` (one request, or one per overlay within the connection cap) and records an
   * outcome for each. Returns the error that makes the whole camera count as failing, if any.
   */
  async #write(
    updates: OverlayTextUpdate[],
    truncated: ReadonlySet<number>,
    context: CycleContext,
    options: OverlayCallOptions,
    outcomes: OverlayOutcome[],
  ): Promise<Error | undefined> {
    if (updates.length === 0) return undefined;
    const target = this.#ensureTarget();
    const record = (update: OverlayTextUpdate, ms: number, error?: Error): void => {
      const base = { cycle: context.cycle, cameraId: this.id, cameraName: this.name, overlayId: update.id, text: update.text, ms, truncated: truncated.has(update.id) };
      if (error === undefined && update.enabled === false) this.#hidden.add(update.id);
      else if (error === undefined) this.#lastWritten.set(update.id, update.text);
      outcomes.push(this.#report(error === undefined ? { ...base, status: 'updated' } : { ...base, status: 'failed', error: describe(error) }));
    };
    if (this.#spec.batch !== false) {
      const started = performance.now();
      try {
        await target.setTextOverlays(this.#channel, updates, options);
      } catch (error) {
        if (!context.signal.aborted) for (const update of updates) record(update, performance.now() - started, ensureError(error));
        return ensureError(error);
      }
      for (const update of updates) record(update, performance.now() - started);
      return undefined;
    }
    let cameraError: Error | undefined;
    await eachLimited(updates, this.#spec.connections ?? 4, async (update) => {
      const started = performance.now();
      try {
        await target.setTextOverlay(this.#channel, update, options);
        record(update, performance.now() - started);
      } catch (error) {
        cameraError ??= ensureError(error);
        if (!context.signal.aborted) record(update, performance.now() - started, ensureError(error));
      }
    });
    return cameraError;
  }

  #report(outcome: OverlayOutcome): OverlayOutcome {
    const { logger, logUpdates } = this.#options;
    if (outcome.status === 'updated' && logUpdates) {
      logger.info(`✓ Updated overlay ${outcome.overlayId} on '${this.name}': ${JSON.stringify(outcome.text)} (${Math.round(outcome.ms)}ms)`);
    } else if (outcome.status === 'failed') {
      logger.warn(`✗ Failed to update overlay ${outcome.overlayId} on '${this.name}' (${Math.round(outcome.ms)}ms): ${outcome.error ?? 'unknown error'}`);
    }
    this.#options.onOutcome(outcome);
    return outcome;
  }

  #missingOverlay(id: number): string {
    const ids = [...(this.#device?.ids ?? [])].sort((a, b) => a - b).join(', ');
    return `overlay ${id} does not exist on '${this.name}' (it has ${ids === '' ? 'none' : ids})`;
  }

  #warnTruncated(id: number, text: string): void {
    if (this.#overflowWarned.has(id)) return;
    this.#overflowWarned.add(id);
    this.#options.logger.warn(`Overlay ${id} on '${this.name}' is longer than the camera allows; truncated to ${JSON.stringify(text)}`);
  }

  #healthy(): void {
    this.#lastError = undefined;
    if (this.#state === 'ok') return;
    const previous = this.state;
    if (this.#failures > 0) this.#options.logger.info(`Camera '${this.name}' is back after ${this.#failures} failed attempt(s)`);
    this.#state = 'ok';
    this.#failures = 0;
    this.#emitState(previous);
  }

  #failed(error: Error, ms: number): void {
    const previous = this.state;
    this.#lastError = describe(error);
    this.#forget();
    this.#failures++;
    const { logger } = this.#options;
    if (error instanceof AuthError) {
      this.#state = 'parked';
      const wait = this.#spec.authRetryMs ?? DEFAULT_AUTH_RETRY_MS;
      this.#retryAt = performance.now() + wait;
      logger.error(`Camera '${this.name}' rejected the credentials (${error.message}); parked for ${seconds(wait)} so the camera does not lock us out`);
      this.#emitState(previous, error.message);
      return;
    }
    const delay = this.#backoffDelay();
    this.#state = 'backoff';
    this.#retryAt = performance.now() + delay;
    logger.warn(`Camera '${this.name}' failed after ${Math.round(ms)}ms: ${describe(error)}; retrying in ${seconds(delay)}`);
    this.#emitState(previous, describe(error));
  }

  /** Exponential, capped, with jitter (50-100 %) so cameras that failed together do not return together. */
  #backoffDelay(): number {
    const { backoffInitialMs, backoffMaxMs, random } = this.#options;
    const exponential = Math.min(backoffMaxMs, backoffInitialMs * 2 ** Math.min(this.#failures - 1, 30));
    return exponential * (0.5 + 0.5 * random());
  }

  /** Forget what the device shows, so that everything is read and written again. */
  #forget(): void {
    this.#device = undefined;
    this.#lastWritten.clear();
    this.#lastFullWriteAt = Number.NEGATIVE_INFINITY;
  }

  #emitState(previous: CameraSyncState, reason?: string): void {
    const state = this.state;
    if (state === previous && reason === undefined) return;
    const change: CameraStateChange = { cameraId: this.id, cameraName: this.name, state, previous };
    if (reason !== undefined) change.reason = reason;
    if (state === 'backoff' || state === 'parked') change.retryAt = new Date(Date.now() + (this.#retryAt - performance.now()));
    this.#options.onStateChange(change);
  }
}

function describe(error: Error): string {
  return error.message;
}

function seconds(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)}m` : `${(ms / 1000).toFixed(1)}s`;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
