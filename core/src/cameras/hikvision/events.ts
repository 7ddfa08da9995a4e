/**
 * One alert stream per camera, shared by every consumer (old NVRs stop delivering when several are
 * open). It opens with the first consumer, closes with the last, and reconnects by itself with a
 * bounded back-off after a reboot or a pulled cable; an idle watchdog (heartbeats come every 10 s)
 * catches a link that died without a FIN. Events are change-only: `active` once, `inactive` when the
 * camera says so or after `holdMs` with no refresh (some events never post inactive).
 */
import { AuthError, ProtocolError } from '../../errors.js';
import type { CameraHttpClient } from '../../http/client.js';
import type { Logger } from '../../log.js';
import { MultipartReader } from './multipart.js';
import { parseEventXml } from './parse.js';
import { isapiErrorFrom } from './status.js';
import type { CameraEvent } from './types.js';

export interface AlertStreamOptions {
  http: CameraHttpClient;
  logger: Logger;
  name: string;
  idleTimeoutMs: number;
  holdMs: number;
  reconnect: { initial: number; max: number };
}

interface Subscriber {
  queue: CameraEvent[];
  wake: (() => void) | undefined;
  error: Error | undefined;
  /** The hub was closed: the iteration ends quietly. */
  ended: boolean;
}

const PATHS = ['/ISAPI/Event/notification/alertStream', '/Event/notification/alertStream'];

export class AlertStreamHub {
  private readonly options: AlertStreamOptions;
  private readonly subscribers = new Set<Subscriber>();
  private readonly active = new Map<string, { event: CameraEvent; timer: NodeJS.Timeout }>();
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;
  private pathIndex = 0;

  constructor(options: AlertStreamOptions) {
    this.options = options;
  }

  async *subscribe(signal?: AbortSignal): AsyncGenerator<CameraEvent, void, undefined> {
    const sub: Subscriber = { queue: [], wake: undefined, error: undefined, ended: false };
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
        if (sub.error !== undefined) throw sub.error;
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

  /** Ends the stream and every consumer's iteration. Idempotent. */
  async close(): Promise<void> {
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
    this.controller?.abort();
    const running = this.running;
    for (const { timer } of this.active.values()) clearTimeout(timer);
    this.active.clear();
    await running;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        await this.connectOnce(signal, () => (failures = 0));
        this.options.logger.info(`${this.options.name}: alert stream ended; reconnecting`);
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AuthError) {
          this.failAll(error);
          return;
        }
        this.options.logger.warn(`${this.options.name}: alert stream failed: ${(error as Error).message}`);
      }
      const { initial, max } = this.options.reconnect;
      const delay = Math.min(max, initial * 2 ** Math.min(failures, 16));
      failures++;
      await delayFor(delay, signal);
    }
  }

  private async connectOnce(signal: AbortSignal, onConnected: () => void): Promise<void> {
    const path = PATHS[this.pathIndex] ?? PATHS[0] ?? '';
    const response = await this.options.http.stream({ method: 'GET', path, signal, idleTimeoutMs: this.options.idleTimeoutMs });
    if (response.status !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk as Buffer);
      // pyHik: older firmware serves the stream without the /ISAPI prefix.
      if (response.status === 404) this.pathIndex = (this.pathIndex + 1) % PATHS.length;
      throw isapiErrorFrom(response.status, Buffer.concat(chunks), path) ?? new ProtocolError(`${path}: HTTP ${response.status}`);
    }
    const reader = new MultipartReader();
    for await (const chunk of response.body) {
      for (const part of reader.push(chunk as Buffer)) {
        const type = part.headers['content-type'] ?? '';
        if (!type.includes('xml') && !part.body.subarray(0, 8).toString('latin1').trimStart().startsWith('<')) continue;
        const event = parseEventXml(part.body.toString('utf8'));
        if (event === undefined) continue;
        onConnected();
        this.onEvent(event);
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

  private failAll(error: Error): void {
    for (const sub of this.subscribers) {
      sub.error = error;
      sub.wake?.();
    }
  }
}

function delayFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
