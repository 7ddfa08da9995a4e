/**
 * The camera entity: the latest JPEG, refreshed every `snapshot_interval` (counted from the last
 * answer, so a slow camera is never asked twice at once), on motion, and on the snapshot button.
 * Concurrent refreshes share one request. The loop doubles as the reachability probe.
 */
import { isAbortError } from '@camflow/core';
import type { CameraContext, Feature } from '../feature.js';
import type { BridgeCommand } from '../topics.js';

export class SnapshotFeature implements Feature {
  readonly #context: CameraContext;
  readonly #intervalMs: number;
  #inFlight: Promise<boolean> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  /** A button press or motion asked for this image: publish it even if the picture did not change. */
  #force = false;

  constructor(context: CameraContext, intervalMs: number) {
    this.#context = context;
    this.#intervalMs = intervalMs;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#tick();
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.catch(() => undefined);
  }

  async handle(command: BridgeCommand): Promise<void> {
    if (command.kind !== 'snapshot') return;
    if (!(await this.refresh(true))) throw new Error('the camera did not deliver a snapshot');
  }

  async resync(): Promise<void> {
    await this.refresh(true);
  }

  /**
   * True when the camera delivered an image. `force`: publish it even if unchanged (a button press
   * or motion expects to see a message); the interval only publishes changes.
   */
  refresh(force = false): Promise<boolean> {
    if (force) this.#force = true;
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #fetch(): Promise<boolean> {
    const c = this.#context;
    try {
      const jpeg = await c.source.snapshot(c.callOptions());
      c.reportSuccess();
      const force = this.#force;
      this.#force = false;
      await c.publisher.state(c.topics.camera, jpeg, 0, force);
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
    if (!this.#running) return;
    this.#timer = setTimeout(() => void this.#tick(), this.#intervalMs);
  }
}
