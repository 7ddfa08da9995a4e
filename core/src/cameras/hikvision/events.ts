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
import type { Readable } from 'node:stream';
import { AuthError, ensureError, ProtocolError, TimeoutError } from '../../errors.js';
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
/** Of an error answer, enough to read the ISAPI ResponseStatus; the rest is not read. */
const MAX_ERROR_BODY = 64 * 1024;
/**
 * Distinct events held active at once. Real cameras have a handful of event types on a few channels;
 * a camera sending ever-new types or channels must not grow memory without bound.
 */
const MAX_ACTIVE = 256;

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
      const body = await readAtMost(response.body, MAX_ERROR_BODY);
      // pyHik: older firmware serves the stream without the /ISAPI prefix.
      if (response.status === 404) this.pathIndex = (this.pathIndex + 1) % PATHS.length;
      throw isapiErrorFrom(response.status, body, path) ?? new ProtocolError(`${path}: HTTP ${response.status}`);
    }
    hooks.onOpen();
    const reader = new MultipartReader();
    // The idle timeout sees bytes, not parts: a link trickling a byte a second never goes idle but
    // never delivers a heartbeat either. Heartbeats come every 10 s, so no whole part in the idle
    // time means the stream is not working.
    const stalled = new PartWatchdog(this.options.idleTimeoutMs, () =>
      response.body.destroy(new TimeoutError(`${path} on ${this.options.name}: no complete event or heartbeat within ${this.options.idleTimeoutMs} ms`)),
    );
    try {
      for await (const chunk of response.body) {
        for (const part of reader.push(chunk as Buffer)) {
          hooks.onPart();
          stalled.reset();
          const type = part.headers['content-type'] ?? '';
          if (!type.includes('xml') && !part.body.subarray(0, 8).toString('latin1').trimStart().startsWith('<')) continue;
          const event = parseEventXml(part.body.toString('utf8'));
          if (event !== undefined) this.onEvent(event);
        }
      }
    } catch (error) {
      response.body.destroy();
      throw error;
    } finally {
      stalled.dispose();
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
    else if (this.active.size >= MAX_ACTIVE) {
      this.options.logger.debug(`${this.options.name}: more than ${MAX_ACTIVE} distinct events active at once; ignoring ${key}`);
      return;
    }
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

/** Reads at most `limit` bytes of a body, then drops the rest of the connection's answer. */
async function readAtMost(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= limit) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** Fires once when `reset()` has not been called for `ms`. */
class PartWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private readonly ms: number;
  private readonly onStall: () => void;

  constructor(ms: number, onStall: () => void) {
    this.ms = ms;
    this.onStall = onStall;
    this.reset();
  }

  reset(): void {
    clearTimeout(this.timer);
    if (this.ms > 0) this.timer = setTimeout(this.onStall, this.ms);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
