/**
 * A Ring doorbell or camera as camflow sees it: details, a snapshot, dings and motion as camera
 * events, and its recordings. Talks to Ring through the shared RingAccount (one login per data dir).
 *
 * Events come from two places. Ring's push channel is fast but is known to go quiet after a day or so
 * (the most common complaint of Ring users), so a watchdog polls the event history every `watchdog`
 * and reports any ding or motion the push channel missed; SeenEvents makes sure each is reported once.
 */
import { EventEmitter, on } from 'node:events';
import { appApi, clientApi } from 'ring-client-api/rest-client';
import type { PushNotificationDingV2 } from 'ring-client-api';
import type { RingCameraConfig } from '../../config/ring.js';
import { CamflowError, ConnectionError, ensureError, ProtocolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { CallOptions, CameraEvent } from '../hikvision/types.js';
import { RingAccount, type RingDevice, type RingRequest } from './account.js';
import { sleep } from '../../timers.js';
import type { LiveVideo } from '../live-video.js';
import { startRingLive } from './live.js';
import { SeenEvents } from './seen-events.js';
import { RingLoginRequiredError } from './token-store.js';

/** One recording in Ring's history. */
export interface RingRecording {
  /** Ring's ding id (a 64-bit number, kept as text). */
  id: string;
  kind: string;
  start: Date;
  end: Date;
  durationMs: number;
  person: boolean;
}

interface HistoryEvent {
  ding_id_str: string;
  created_at: string;
  kind: string;
  cv_properties?: { person_detected?: unknown };
}

interface VideoSearchResult {
  ding_id: string;
  created_at: number;
  kind: string;
  duration: number;
  cv_properties?: { person_detected?: unknown };
}

/** History entries per watchdog poll: more than can happen between two polls. */
const POLL_LIMIT = 20;

export class RingClient {
  readonly #config: RingCameraConfig;
  readonly #logger: Logger | undefined;
  readonly #seen: SeenEvents;
  readonly #emitter = new EventEmitter();
  #account: RingAccount | undefined;
  #watching: AbortController | undefined;
  #consumers = 0;

  constructor(config: RingCameraConfig, logger?: Logger) {
    this.#config = config;
    this.#logger = logger?.child(config.id);
    this.#seen = new SeenEvents(this.dataDir, config.id);
    this.#emitter.setMaxListeners(0);
  }

  get dataDir(): string {
    if (this.#config.data_dir === undefined) throw new CamflowError(`camera ${this.#config.id}: no data_dir for the Ring login`);
    return this.#config.data_dir;
  }

  /** The library's device (its data, and push notifications when push is on). */
  async device(o: CallOptions = {}): Promise<RingDevice> {
    try {
      return await this.#accountFor().device(this.#config.device, o.signal);
    } catch (error) {
      throw this.#named(error);
    }
  }

  /** The error with this camera's id in front (a shared account's error names no camera). */
  #named(error: unknown): Error {
    const e = ensureError(error);
    if (!(e instanceof CamflowError) || e.message.startsWith('camera ')) return e;
    const Kind = e.constructor as new (message: string, options?: { cause?: unknown }) => CamflowError;
    return new Kind(`camera ${this.#config.id}: ${e.message}`, { cause: e });
  }

  async #request<T>(request: RingRequest): Promise<T> {
    try {
      return await this.#accountFor().request<T>(request);
    } catch (error) {
      throw this.#named(error);
    }
  }

  async isDoorbell(o: CallOptions = {}): Promise<boolean> {
    return (await this.device(o)).isDoorbot;
  }

  async snapshot(o: CallOptions = {}): Promise<Buffer> {
    const device = await this.device(o);
    if (device.isOffline) throw new ConnectionError(`camera ${this.#config.id}: Ring says ${device.name} is offline`);
    const image = await this.#request<Buffer>({
      // `force` asks the camera for a new picture, as the app's live tile does.
      url: `https://app-snaps.ring.com/snapshots/next/${device.id}?extras=force`,
      responseType: 'buffer',
      headers: { accept: 'image/jpeg' },
      ...this.#call(o),
    });
    if (!Buffer.isBuffer(image) || image[0] !== 0xff || image[1] !== 0xd8) throw new ProtocolError(`camera ${this.#config.id}: Ring sent a snapshot that is not a JPEG`);
    return Buffer.from(image);
  }

  /** The newest history entries (dings, motion, live views), newest first. */
  async history(limit: number, o: CallOptions = {}): Promise<HistoryEvent[]> {
    const device = await this.device(o);
    const response = await this.#request<{ events?: HistoryEvent[] }>({
      url: clientApi(`locations/${device.data.location_id}/devices/${device.id}/events?limit=${limit}`),
      ...this.#call(o),
    });
    return response.events ?? [];
  }

  /** Recordings that started in the span, oldest first (Ring's video search). */
  async recordings(span: { from: Date; to: Date }, o: CallOptions = {}): Promise<RingRecording[]> {
    const device = await this.device(o);
    const response = await this.#request<{ video_search?: VideoSearchResult[] }>({
      url: clientApi(`video_search/history?doorbot_id=${device.id}&date_from=${span.from.getTime()}&date_to=${span.to.getTime()}&order=asc&api_version=11&includes%5B%5D=pva`),
      ...this.#call(o),
    });
    return (response.video_search ?? []).map((r) => {
      const start = new Date(r.created_at);
      const durationMs = Math.round((Number(r.duration) || 0) * 1000);
      return { id: String(r.ding_id), kind: r.kind, start, end: new Date(start.getTime() + durationMs), durationMs, person: r.cv_properties?.person_detected === true };
    });
  }

  /** A fresh signed URL for a recording (the ones a search lists expire within minutes). */
  async recordingUrl(id: string, o: CallOptions = {}): Promise<string> {
    const response = await this.#request<{ url?: string }>({
      url: clientApi(`dings/${id}/share/play?disable_redirect=true`),
      ...this.#call(o),
    });
    if (typeof response.url !== 'string') throw new ProtocolError(`camera ${this.#config.id}: Ring gave no URL for recording ${id}`);
    return response.url;
  }

  /**
   * A live view (WebRTC) as an ffmpeg input; close it to hang up. Ring may take a while to wake a
   * battery camera, so the answer gets twice the camera's timeout.
   */
  async liveVideo(o: CallOptions = {}): Promise<LiveVideo> {
    const device = await this.device(o);
    if (device.isOffline) throw new ConnectionError(`camera ${this.#config.id}: Ring says ${device.name} is offline`);
    const { ticket } = await this.#request<{ ticket?: string }>({ url: appApi('clap/ticket/request/signalsocket'), method: 'POST', ...this.#call(o) });
    if (typeof ticket !== 'string') throw new ProtocolError(`camera ${this.#config.id}: Ring gave no live view ticket`);
    return startRingLive({
      device,
      ticket,
      what: `camera ${this.#config.id}`,
      timeoutMs: o.timeoutMs ?? this.#config.timeout * 2,
      ...(o.signal === undefined ? {} : { signal: o.signal }),
      ...(this.#logger === undefined ? {} : { logger: this.#logger }),
    });
  }

  /** Dings and motion, from push and the watchdog, each once; until the signal aborts. */
  async *events(signal: AbortSignal): AsyncIterable<CameraEvent> {
    this.#consumers++;
    if (this.#consumers === 1) this.#startWatching();
    try {
      for await (const [event] of on(this.#emitter, 'event', { signal }) as AsyncIterable<[CameraEvent]>) yield event;
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      if (--this.#consumers === 0) this.#stopWatching();
    }
  }

  async close(): Promise<void> {
    this.#stopWatching();
    await this.#seen.flushed();
    const account = this.#account;
    this.#account = undefined;
    await account?.release();
  }

  /** The caller's signal and time limit (default: the camera's `timeout`). */
  #call(o: CallOptions): { signal?: AbortSignal; timeoutMs: number } {
    return { ...(o.signal === undefined ? {} : { signal: o.signal }), timeoutMs: o.timeoutMs ?? this.#config.timeout };
  }

  #accountFor(): RingAccount {
    this.#account ??= RingAccount.acquire(this.dataDir, { push: this.#config.push, ...(this.#logger === undefined ? {} : { logger: this.#logger }) });
    return this.#account;
  }

  #startWatching(): void {
    const controller = new AbortController();
    this.#watching = controller;
    void this.#watch(controller.signal);
  }

  #stopWatching(): void {
    this.#watching?.abort();
    this.#watching = undefined;
  }

  async #watch(signal: AbortSignal): Promise<void> {
    const firstStart = !(await this.#seen.load());
    let device: RingDevice | undefined;
    let first = true;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (device === undefined) {
          device = await this.device({ signal });
          await this.#accountFor().watchPush(signal);
          const subscription = device.onNewNotification.subscribe((n) => this.#fromPush(n as PushNotificationDingV2));
          signal.addEventListener('abort', () => subscription.unsubscribe(), { once: true });
        }
        await this.#poll(first && firstStart, signal);
        first = false;
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        // Only the user can mend a refused login: every consumer's iteration ends with it (they show it).
        if (error instanceof RingLoginRequiredError) {
          if (this.#emitter.listenerCount('error') > 0) this.#emitter.emit('error', error);
          return;
        }
        failures++;
        this.#logger?.warn(`Ring event history: ${ensureError(error).message}`);
      }
      const every = this.#config.watchdog;
      // Watchdog off (0): one poll to know where the history stands, then push alone.
      if (every === 0 && !first && failures === 0) return;
      // After failures: back off, at most 5 minutes, so a Ring outage is not hammered.
      const wait = failures === 0 ? every : Math.min(300_000, 5_000 * 2 ** Math.min(failures, 6));
      await sleep(wait, signal);
    }
  }

  /** Reads the newest history and reports what is new, oldest first. On a first start: only marks it. */
  async #poll(markOnly: boolean, signal: AbortSignal): Promise<void> {
    const events = await this.history(POLL_LIMIT, { signal });
    if (markOnly) {
      for (const e of events) this.#seen.mark(e.ding_id_str, new Date(e.created_at));
      if (events.length === 0) this.#seen.startFrom(new Date());
      return;
    }
    for (const e of [...events].reverse()) {
      const type = e.kind === 'ding' ? 'ding' : e.kind === 'motion' ? 'motion' : undefined;
      if (type === undefined) continue; // live views (on_demand) are not events
      this.#report(e.ding_id_str, type, new Date(e.created_at), e.cv_properties?.person_detected === true, 'watchdog');
    }
  }

  #fromPush(notification: PushNotificationDingV2): void {
    const ding = notification.data?.event?.ding;
    if (ding === undefined) return;
    const category = String(notification.android_config?.category ?? '');
    const type = /ding/i.test(category) ? 'ding' : /motion/i.test(category) ? 'motion' : undefined;
    if (type === undefined) return;
    const at = new Date(ding.created_at ?? Date.now());
    this.#report(String(ding.id), type, Number.isNaN(at.getTime()) ? new Date() : at, ding.detection_type === 'human' || ding.subtype === 'human', 'push');
  }

  #report(id: string, type: 'ding' | 'motion', at: Date, person: boolean, via: 'push' | 'watchdog'): void {
    if (!this.#seen.isNew(id, at)) return;
    this.#seen.mark(id, at);
    if (via === 'watchdog') this.#logger?.info(`Ring ${type} ${id} at ${at.toISOString()} came from the event history (push did not deliver it)`);
    const description = person ? 'person' : undefined;
    const base = { type, channel: 1, time: at, id, ...(description === undefined ? {} : { description }) };
    this.#emitter.emit('event', { ...base, state: 'active' } satisfies CameraEvent);
    // A ding or motion is a moment; sensors fed by it go off again after a short while (sooner when it is old news).
    const left = Math.max(0, this.#config.event_hold - (Date.now() - at.getTime()));
    const timer = setTimeout(() => this.#emitter.emit('event', { ...base, state: 'inactive', time: new Date() } satisfies CameraEvent), left);
    timer.unref();
  }
}
