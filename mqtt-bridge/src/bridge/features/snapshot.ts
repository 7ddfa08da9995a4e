/**
 * The camera entity: the latest JPEG, refreshed every `snapshot_interval` (counted from the last
 * answer, so a slow camera is never asked twice at once by the interval), on motion, and on the
 * snapshot button. A refresh joins the request in flight, except one that needs a picture taken
 * after a moment (motion): a request that began before it may show the scene before the motion, so
 * a fresh one starts. An image is never published over a newer one.
 */
import { isAbortError } from '@camflow/core';
import type { CameraContext, Feature } from '../feature.js';
import type { BridgeCommand } from '../topics.js';

export interface RefreshOptions {
  /** Publish the image even if unchanged (a button press or motion expects to see a message). */
  force?: boolean;
  /** Only an image requested at or after this `performance.now()` will do. */
  since?: number;
}

interface Fetch {
  seq: number;
  startedAt: number;
  /** Set by a forcing caller that joined it. */
  force: boolean;
  promise: Promise<boolean>;
}

export class SnapshotFeature implements Feature {
  readonly #context: CameraContext;
  readonly #intervalMs: number;
  /** The most recently started request while it runs. */
  #latest: Fetch | undefined;
  readonly #running = new Set<Promise<boolean>>();
  #seq = 0;
  /** Sequence number of the newest image published: an older request finishing later is dropped. */
  #publishedSeq = 0;
  #timer: NodeJS.Timeout | undefined;
  #started = false;

  constructor(context: CameraContext, intervalMs: number) {
    this.#context = context;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.#tick();
  }

  async stop(): Promise<void> {
    this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([...this.#running]);
  }

  async handle(command: BridgeCommand): Promise<void> {
    if (command.kind !== 'snapshot') return;
    if (!(await this.refresh({ force: true }))) throw new Error('the camera did not deliver a snapshot');
  }

  async resync(): Promise<void> {
    await this.refresh({ force: true });
  }

  /** True when the camera delivered an image (published unless a newer one already was). */
  refresh(options: RefreshOptions = {}): Promise<boolean> {
    const latest = this.#latest;
    if (latest !== undefined && (options.since === undefined || latest.startedAt >= options.since)) {
      if (options.force === true) latest.force = true;
      return latest.promise;
    }
    const fetch: Fetch = { seq: ++this.#seq, startedAt: performance.now(), force: options.force === true, promise: Promise.resolve(false) };
    fetch.promise = this.#fetch(fetch).finally(() => {
      this.#running.delete(fetch.promise);
      if (this.#latest === fetch) this.#latest = undefined;
    });
    this.#latest = fetch;
    this.#running.add(fetch.promise);
    return fetch.promise;
  }

  async #fetch(fetch: Fetch): Promise<boolean> {
    const c = this.#context;
    try {
      const jpeg = await c.source.snapshot(c.callOptions());
      c.reportSuccess();
      if (fetch.seq < this.#publishedSeq) return true; // a request started later already published a newer picture
      this.#publishedSeq = fetch.seq;
      await c.publisher.state(c.topics.camera, jpeg, 0, fetch.force);
      const path = c.source.connectionPath?.();
      if (path !== undefined) await c.publisher.state(c.topics.connection, path);
      return true;
    } catch (error) {
      if (!isAbortError(error) || !c.signal.aborted) c.reportFailure(error, 'snapshot');
      return false;
    }
  }

  async #tick(): Promise<void> {
    await this.refresh();
    if (!this.#started) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
  }
}
