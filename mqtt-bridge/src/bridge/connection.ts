/**
 * The bridge's MQTT connection: last will, QoS 1 availability, subscriptions restored on every
 * connect, and reconnects with a bounded, jittered backoff (mqtt.js on its own retries at a fixed
 * period forever and drops the backoff the docs ask for). Emits `connect` after each (re)connect so
 * the bridge can re-publish what a restarted broker forgot.
 */
import { type Logger, TypedEmitter } from '@camflow/core';
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttSender, PublishOptions } from './publisher.js';

export interface MqttConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  clientId?: string;
  /** Published retained by the broker if we vanish, and by us on a clean stop. */
  will: { topic: string; payload: string };
  /** First reconnect delay; doubles up to `reconnectMaxMs`. Default 1000. */
  reconnectMinMs?: number;
  /** Default 30000. */
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  logger: Logger;
  /**
   * Keep the MQTT session across disconnects (with `clientId`): QoS 1 commands published while the
   * bridge is away are queued by the broker and handed over when it returns. After an absence longer
   * than `maxAgeMs` (or one of unknown length) what the broker hands over in the first moment after
   * connecting is marked `stale`: the queue of a long absence, not to be carried out.
   */
  persistentSession?: {
    maxAgeMs: number;
    /** When this bridge (same client id) was last connected, from before this process started. */
    lastOnlineAt?: number | undefined;
    /** Told whenever the bridge is (still) online, to be kept for the next start. */
    onOnline?: (at: number) => void;
  };
}

export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  /** True for a retained message replayed on subscribe. */
  retain: boolean;
  /** Queued by the broker during an absence longer than the session's max age (see persistentSession). */
  stale?: boolean;
}

/** What a broker hands over from a resumed session arrives right after CONNACK; this is ample on any LAN. */
const QUEUE_DRAIN_MS = 1500;

export interface MqttConnectionEvents extends Record<string, unknown> {
  connect: { reconnect: boolean };
  disconnect: { error?: Error };
  message: IncomingMessage;
}

export class MqttConnection extends TypedEmitter<MqttConnectionEvents> implements MqttSender {
  readonly #options: MqttConnectionOptions;
  readonly #subscriptions = new Set<string>();
  #client: MqttClient | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #attempt = 0;
  #connectedOnce = false;
  #stopping = false;
  /** Why the last connect attempt failed: told once, with the retry delay, when the link closes. */
  #failure: Error | undefined;
  /** Last moment we were connected (undefined: never, as far as we know). */
  #lastOnlineAt: number | undefined;

  constructor(options: MqttConnectionOptions) {
    super({ onListenerError: (error, event) => options.logger.error(`MQTT ${event} handler failed: ${String(error)}`) });
    this.#options = options;
    this.#lastOnlineAt = options.persistentSession?.lastOnlineAt;
  }

  /** Whether the next connect resumes the broker's session (see persistentSession). */
  #persistent(): boolean {
    return this.#options.persistentSession !== undefined && this.#options.clientId !== undefined;
  }

  /** Until when incoming messages count as the stale queue of a long absence. */
  #staleUntil = 0;

  get connected(): boolean {
    return this.#client?.connected === true;
  }

  /** Starts connecting; resolves once connecting has begun (a down broker is retried, not fatal). */
  start(): void {
    if (this.#client !== undefined) return;
    this.#stopping = false;
    const o = this.#options;
    const options: IClientOptions = {
      protocolVersion: 4,
      // MQTT 3.1.1 keeps a session only for a client that connected with clean=false.
      clean: !this.#persistent(),
      reconnectPeriod: 0, // we schedule reconnects ourselves, with backoff
      resubscribe: false,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
      ...(o.clientId === undefined ? {} : { clientId: o.clientId }),
    };
    const client = mqttConnect(o.url, options);
    this.#client = client;
    client.on('connect', (connack) => this.#onConnect(connack.sessionPresent));
    client.on('close', () => this.#onClose());
    client.on('error', (error) => {
      if (client.connected) o.logger.warn(`MQTT: ${error.message}`);
      else this.#failure = error; // a failed connect: logged once by #onClose with the retry delay
    });
    client.on('message', (topic, payload, packet) =>
      this.emit('message', { topic, payload, retain: packet.retain, ...(Date.now() < this.#staleUntil && !packet.retain ? { stale: true } : {}) }),
    );
  }

  /** Subscriptions survive reconnects: they are re-made on every connect. */
  async subscribe(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.#subscriptions.add(topic);
    if (this.connected) await this.#client?.subscribeAsync([...topics], { qos: 1 });
  }

  /** Rejects if the broker has not acknowledged within the connect timeout: a caller never hangs on a dead link. */
  async publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    const client = this.#client;
    if (client === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no acknowledgement for ${topic}`)), this.#options.connectTimeoutMs ?? 10_000);
    });
    try {
      await Promise.race([client.publishAsync(topic, payload, { qos: options.qos, retain: options.retain }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves on the next connect (or now if connected); rejects when the signal fires. */
  waitConnected(signal?: AbortSignal): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        off();
        reject(signal?.reason as Error);
      };
      const off = this.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Publishes the will's payload ourselves (a clean stop is not a crash), then disconnects. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    if (client.connected) {
      this.#markOnline();
      const { topic, payload } = this.#options.will;
      await Promise.race([
        client.publishAsync(topic, payload, { qos: 1, retain: true }).catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
    }
    // Forced: a graceful end waits for every unacknowledged publish, which may never come. The
    // broker may then also send our will; it says the same thing we just said.
    await client.endAsync(true).catch(() => undefined);
    client.removeAllListeners();
  }

  #onConnect(sessionPresent: boolean): void {
    // No Nagle: a QoS 0 state gets no reply from the broker, so with Nagle the next one waits for the
    // broker's delayed ACK (40 ms on Linux). mqtt.js leaves the TCP socket at the default.
    const stream = this.#client?.stream as { setNoDelay?: (noDelay: boolean) => void } | undefined;
    stream?.setNoDelay?.(true);
    const reconnect = this.#connectedOnce;
    this.#connectedOnce = true;
    const session = this.#options.persistentSession;
    const away = this.#lastOnlineAt === undefined ? Number.POSITIVE_INFINITY : Date.now() - this.#lastOnlineAt;
    // Only a resumed session can hand over a queue; a fresh one has nothing stale in it.
    this.#staleUntil = session !== undefined && sessionPresent && away > session.maxAgeMs ? Date.now() + QUEUE_DRAIN_MS : 0;
    this.#markOnline();
    this.#attempt = 0;
    this.#options.logger.info(`MQTT ${reconnect ? 're' : ''}connected to ${redactUrl(this.#options.url)}`);
    const client = this.#client;
    if (client !== undefined && this.#subscriptions.size > 0) {
      client.subscribe([...this.#subscriptions], { qos: 1 }, (error) => {
        if (error !== null && error !== undefined) this.#options.logger.warn(`MQTT subscribe failed: ${error.message}`);
      });
    }
    this.emit('connect', { reconnect });
  }

  /** Notes that the link is up now (the bridge calls this now and then while connected). */
  touch(): void {
    if (this.connected) this.#markOnline();
  }

  #markOnline(): void {
    this.#lastOnlineAt = Date.now();
    this.#options.persistentSession?.onOnline?.(this.#lastOnlineAt);
  }

  #onClose(): void {
    if (this.#stopping || this.#client === undefined || this.#reconnectTimer !== undefined) return;
    if (this.#attempt === 0 && this.#connectedOnce) this.#markOnline(); // online until this moment
    if (this.#attempt === 0) this.emit('disconnect', {});
    const delay = backoffDelay(this.#attempt++, this.#options.reconnectMinMs ?? 1000, this.#options.reconnectMaxMs ?? 30_000);
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure === undefined) this.#options.logger.info(`MQTT disconnected; reconnecting in ${delay} ms`);
    else this.#options.logger.warn(`${describeConnectFailure(failure, this.#options)}; retrying in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      const client = this.#client;
      // Keeping the stores re-sends QoS 1 messages still in flight when the link broke (their
      // promises would otherwise never settle).
      if (this.#stopping || client === undefined) return;
      client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
  }
}

/** Doubling from `minMs`, capped at `maxMs`, with up to 25 % jitter so many bridges do not stampede. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number): number {
  const base = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 20));
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

/** A broker URL without its userinfo (`mqtt://user:pass@host` -> `mqtt://host`), fit to print or log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/]*@/, '//');
}

/** mqtt.js reports a CONNACK refusal with its return code: 4 and 5 are about credentials. */
function describeConnectFailure(error: Error, options: MqttConnectionOptions): string {
  const url = redactUrl(options.url);
  const code = (error as { code?: unknown }).code;
  if (code === 4 || code === 5) {
    const who = options.username === undefined ? 'without credentials' : `as '${options.username}'`;
    return `MQTT broker ${url} refused the connection ${who} (${error.message}): check mqtt.username and mqtt.password`;
  }
  return `MQTT connection to ${url} failed: ${error.message}`;
}
