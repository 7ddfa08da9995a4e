/**
 * One alert stream per camera, shared by every consumer (old NVRs stop delivering when several are
 * open). It opens with the first consumer, closes with the last, and reconnects by itself with a
 * bounded back-off after a reboot or a pulled cable; an idle watchdog (heartbeats come every 10 s)
 * catches a link that died without a FIN. Events are change-only: `active` once, `inactive` when the
 * camera says so or after `holdMs` with no refresh (some events never post inactive).
 *
 * Failures never end a consumer's iteration: they show in the stream's status instead. Rejected
 * credentials included: the stream waits out the client's auth back-off and tries once per period
 * (Hikvision locks the client's IP after ~7 failed logins), so a password fixed on the camera, or a
 * camera back from a reboot, brings the events back without a redeploy.
 */
import { AuthError, ensureError, ProtocolError } from '../../errors.js';
import type { CameraHttpClient } from '../../http/client.js';
import type { Logger } from '../../log.js';
import { sleep } from '../../timers.js';
import { MultipartReader } from './multipart.js';
import { parseEventXml } from './parse.js';
import { isapiErrorFrom } from './status.js';
import type { CameraEvent, EventStreamStatus } from './types.js';

export interface AlertStreamOptions {
  http: CameraHttpClient;
  logger: Logger;
  name: string;
  idleTimeoutMs: number;
  holdMs: number;
  reconnect: { initial: number; max: number };
  /** Called when the state changes, and with each failed attempt (new error and retryInMs). */
  onStatus: (status: EventStreamStatus) => void;
}

interface Subscriber {
  queue: CameraEvent[];
  wake: (() => void) | undefined;
  /** The hub was closed: the iteration ends quietly. */
  ended: boolean;
}

interface StreamHooks {
  /** The camera answered 200: the multipart body starts. */
  onOpen: () => void;
  /** A part arrived (an event or a heartbeat): the link really works. */
  onPart: () => void;
}

const PATHS = ['/ISAPI/Event/notification/alertStream', '/Event/notification/alertStream'];

export class AlertStreamHub {
  private readonly options: AlertStreamOptions;
  private readonly subscribers = new Set<Subscriber>();
  private readonly active = new Map<string, { event: CameraEvent; timer: NodeJS.Timeout }>();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private pathIndex = 0;
  private closed = false;
  private current: EventStreamStatus = { state: 'idle' };

  constructor(options: AlertStreamOptions) {
    this.options = options;
  }

  get status(): Readonly<EventStreamStatus> {
    return this.current;
  }

  async *subscribe(signal?: AbortSignal): AsyncGenerator<CameraEvent, void, undefined> {
    if (this.closed) return;
    const sub: Subscriber = { queue: [], wake: undefined, ended: false };
    this.subscribers.add(sub);
    this.ensureRunning();
    const onAbort = (): void => sub.wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        if (signal?.aborted === true) return;
        const event = sub.queue.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (sub.ended) return;
        await new Promise<void>((resolve) => (sub.wake = resolve));
        sub.wake = undefined;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.subscribers.delete(sub);
      if (this.subscribers.size === 0) await this.stop();
    }
  }

  /** Ends the stream and every consumer's iteration; later subscriptions end at once. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of this.subscribers) {
      sub.ended = true;
      sub.wake?.();
    }
    await this.stop();
  }

  private ensureRunning(): void {
    if (this.running !== undefined) return;
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.run(controller.signal).finally(() => {
      if (this.controller === controller) {
        this.controller = undefined;
        this.running = undefined;
      }
    });
  }

  private async stop(): Promise<void> {
    // Forget the run at once: a consumer subscribing while this one winds down starts a fresh run.
    const { controller, running } = this;
    this.controller = undefined;
    this.running = undefined;
    controller?.abort();
    for (const { timer } of this.active.values()) clearTimeout(timer);
    this.active.clear();
    await running;
    if (this.running === undefined) this.setStatus({ state: 'idle' });
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    this.setStatus({ state: 'connecting' });
    const hooks: StreamHooks = {
      onOpen: () => {
        if (!signal.aborted) this.setStatus({ state: 'connected' });
      },
      onPart: () => (failures = 0),
    };
    while (!signal.aborted) {
      let error: Error | undefined;
      try {
        await this.connectOnce(signal, hooks);
        this.options.logger.info(`${this.options.name}: alert stream ended; reconnecting`);
      } catch (thrown) {
        if (signal.aborted) return;
        error = ensureError(thrown);
      }
      if (signal.aborted) return;
      const retryInMs = this.retryDelay(failures++, error);
      if (error instanceof AuthError) {
        this.options.logger.warn(`${this.options.name}: alert stream: ${error.message}; trying again in ${Math.ceil(retryInMs / 1000)} s`);
        this.setStatus({ state: 'auth_failed', error, retryInMs });
      } else {
        if (error !== undefined) this.options.logger.warn(`${this.options.name}: alert stream failed: ${error.message}`);
        this.setStatus({ state: 'reconnecting', ...(error === undefined ? {} : { error }), retryInMs });
      }
      await sleep(retryInMs, signal);
    }
  }

  /**
   * Bounded exponential back-off. After rejected credentials the HTTP layer refuses every call for
   * its auth back-off, so the next attempt waits that out: one login attempt per back-off period.
   */
  private retryDelay(failures: number, error: Error | undefined): number {
    const { initial, max } = this.options.reconnect;
    const delay = Math.min(max, initial * 2 ** Math.min(failures, 16));
    return error instanceof AuthError ? Math.max(delay, this.options.http.authBackoffRemainingMs) : delay;
  }

  /** State changes are reported once; a failed attempt is news too (a new error, a new retry time). */
  private setStatus(next: EventStreamStatus): void {
    const changed = next.state !== this.current.state || next.retryInMs !== undefined;
    this.current = next;
    if (changed) this.options.onStatus(next);
  }

  private async connectOnce(signal: AbortSignal, hooks: StreamHooks): Promise<void> {
    const path = PATHS[this.pathIndex] ?? PATHS[0] ?? '';
    const response = await this.options.http.stream({ method: 'GET', path, signal, idleTimeoutMs: this.options.idleTimeoutMs });
    if (response.status !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      // pyHik: older firmware serves the stream without the /ISAPI prefix.
      if (response.status === 404) this.pathIndex = (this.pathIndex + 1) % PATHS.length;
      throw isapiErrorFrom(response.status, Buffer.concat(chunks), path) ?? new ProtocolError(`${path}: HTTP ${response.status}`);
    }
    hooks.onOpen();
    const reader = new MultipartReader();
    for await (const chunk of response.body) {
      for (const part of reader.push(chunk as Buffer)) {
        hooks.onPart();
        const type = part.headers['content-type'] ?? '';
        if (!type.includes('xml') && !part.body.subarray(0, 8).toString('latin1').trimStart().startsWith('<')) continue;
        const event = parseEventXml(part.body.toString('utf8'));
        if (event !== undefined) this.onEvent(event);
      }
    }
  }

  private onEvent(event: CameraEvent): void {
    const key = `${event.type}/${event.channel}`;
    const current = this.active.get(key);
    if (event.state === 'inactive') {
      // Heartbeats are videoloss-inactive; they only matter when video loss was really active.
      if (current === undefined) return;
      clearTimeout(current.timer);
      this.active.delete(key);
      this.publish(event);
      return;
    }
    if (current !== undefined) clearTimeout(current.timer);
    const timer = setTimeout(() => {
      this.active.delete(key);
      this.publish({ ...event, state: 'inactive', time: new Date() });
    }, this.options.holdMs);
    timer.unref();
    this.active.set(key, { event, timer });
    if (current === undefined) this.publish(event);
  }

  private publish(event: CameraEvent): void {
    for (const sub of this.subscribers) {
      sub.queue.push(event);
      sub.wake?.();
    }
  }
}
