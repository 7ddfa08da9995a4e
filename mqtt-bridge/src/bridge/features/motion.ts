/**
 * The camera's alert stream as a motion binary_sensor and an event entity. On motion the snapshot is
 * refreshed FIRST, so a notification that attaches the camera entity shows the moment of the motion.
 * Events are never retained: after a reconnect or a Home Assistant restart no automation may fire
 * again on an old event.
 */
import { type CameraEvent, isAbortError, sleep } from '@camflow/core';
import { haEventType, MOTION_EVENT_TYPES } from '../discovery.js';
import type { CameraContext, Feature } from '../feature.js';

/** Wait before re-opening a stream that ended with an error (the client retries inside first). */
const RESTART_DELAY_MS = 5000;

export class MotionFeature implements Feature {
  readonly #context: CameraContext;
  readonly #active = new Set<string>();
  #controller: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(context: CameraContext) {
    this.#context = context;
  }

  start(): void {
    if (this.#loop !== undefined || this.#context.source.events === undefined) return;
    this.#controller = new AbortController();
    void this.#context.publisher.state(this.#context.topics.motion, 'OFF');
    this.#loop = this.#run(AbortSignal.any([this.#controller.signal, this.#context.signal]));
  }

  async stop(): Promise<void> {
    this.#controller?.abort(new Error('stopped'));
    await this.#loop;
    this.#loop = undefined;
    this.#active.clear();
  }

  async #run(signal: AbortSignal): Promise<void> {
    const events = this.#context.source.events;
    if (events === undefined) return;
    while (!signal.aborted) {
      try {
        for await (const event of events.call(this.#context.source, signal)) await this.#onEvent(event);
      } catch (error) {
        if (signal.aborted && isAbortError(error)) return;
        if (!signal.aborted) this.#context.reportFailure(error, 'alert stream');
      }
      if (!signal.aborted) await sleep(RESTART_DELAY_MS, signal);
    }
  }

  async #onEvent(event: CameraEvent): Promise<void> {
    const arrivedAt = performance.now();
    const c = this.#context;
    c.reportSuccess();
    const type = event.type.toLowerCase();
    // Events with their own id (Ring dings) are separate even when of one type: two rings, two events.
    const key = event.id === undefined ? type : `${type}#${event.id}`;
    const wasActive = this.#active.has(key);
    const motionBefore = this.#motion();
    if (event.state === 'active') this.#active.add(key);
    else this.#active.delete(key);
    const motionNow = this.#motion();
    // A picture requested before the event may predate the motion: only one requested after it will do.
    if (motionNow && !motionBefore) await c.refreshSnapshot(arrivedAt);
    if (motionNow !== motionBefore) await c.publisher.state(c.topics.motion, motionNow ? 'ON' : 'OFF');
    if (event.state === 'active' && !wasActive) {
      const payload = {
        event_type: haEventType(type),
        camera_event: type,
        channel: event.channel,
        time: event.time.toISOString(),
        ...(event.description === undefined ? {} : { description: event.description }),
      };
      await c.publisher.event(c.topics.event, JSON.stringify(payload));
      if (type === 'ding') await c.publisher.event(c.topics.doorbell, JSON.stringify({ event_type: 'ring', time: payload.time }));
    }
  }

  #motion(): boolean {
    for (const key of this.#active) if (MOTION_EVENT_TYPES.has(key.split('#')[0] ?? key)) return true;
    return false;
  }
}
