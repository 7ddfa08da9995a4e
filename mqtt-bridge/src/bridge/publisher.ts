/**
 * The idempotent publisher: it remembers the last retained payload per topic and sends only changes.
 * Discovery configs and states are kept apart so a re-publish (after a reconnect or Home Assistant's
 * birth message) sends every config before any state. Events are never remembered nor retained: a
 * replayed "person detected" must never fire an automation again.
 */
import type { Logger } from '@camflow/core';
import { BRIDGE_DEVICE_ID, type DevicePayload, removalPayload } from './discovery.js';

export interface PublishOptions {
  qos: 0 | 1;
  retain: boolean;
}

/** The part of the MQTT connection the publisher needs. */
export interface MqttSender {
  readonly connected: boolean;
  publish(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void>;
}

interface StateEntry {
  payload: string | Buffer;
  qos: 0 | 1;
}

export class Publisher {
  readonly #sender: MqttSender;
  readonly #logger: Logger;
  readonly #origin: string;
  readonly #owner: string;
  readonly #discovery = new Map<string, DevicePayload>();
  readonly #discoveryJson = new Map<string, string>();
  readonly #states = new Map<string, StateEntry>();
  /** Devices that will be published (cameras still starting): their retained configs must not be swept. */
  readonly #expected = new Set<string>();
  /** Our retained configs found on the broker before we published the new one. */
  readonly #foundRetained = new Map<string, DevicePayload>();
  /** In-process readers of what goes out (the status page), told even while the broker is away. */
  readonly #taps = new Set<(topic: string, payload: string | Buffer, retained: boolean) => void>();

  /** `owner`: this bridge's device id; only devices of this bridge instance are adopted or swept. */
  constructor(sender: MqttSender, logger: Logger, origin: string, owner = BRIDGE_DEVICE_ID) {
    this.#sender = sender;
    this.#logger = logger;
    this.#origin = origin;
    this.#owner = owner;
  }

  /**
   * Announces the devices that are about to be published, so that their retained configs found on
   * the broker meanwhile are kept (sweeping them would delete the devices, and with them the user's
   * names and areas, only to create them again a moment later).
   */
  expect(topics: Iterable<string>): void {
    for (const topic of topics) this.#expected.add(topic);
  }

  /** Publishes a discovery config, retained, unless the broker already has exactly this one from us. */
  async discovery(topic: string, payload: DevicePayload): Promise<void> {
    const json = JSON.stringify(payload);
    if (this.#discoveryJson.get(topic) === json) return;
    this.#discovery.set(topic, payload);
    this.#discoveryJson.set(topic, json);
    const found = this.#foundRetained.get(topic);
    this.#foundRetained.delete(topic);
    const removal = found === undefined ? undefined : removalPayload(found, payload);
    if (removal !== undefined) await this.#send(topic, JSON.stringify(removal), { qos: 1, retain: true });
    await this.#send(topic, json, { qos: 1, retain: true });
  }

  /** A retained state; sent only when it differs from the last one, unless `force` (an explicit request). */
  async state(topic: string, payload: string | Buffer, qos: 0 | 1 = 0, force = false): Promise<void> {
    const last = this.#states.get(topic);
    if (!force && last !== undefined && last.qos === qos && samePayload(last.payload, payload)) return;
    this.#states.set(topic, { payload, qos });
    this.#tell(topic, payload, true);
    await this.#send(topic, payload, { qos, retain: true });
  }

  /** An event or other one-off message: never retained, never re-sent, dropped while disconnected. */
  async event(topic: string, payload: string | Buffer, qos: 0 | 1 = 1): Promise<void> {
    this.#tell(topic, payload, false);
    await this.#send(topic, payload, { qos, retain: false });
  }

  /** Every state (when it changes) and event this publisher sends, in process; returns the remover. */
  tap(listener: (topic: string, payload: string | Buffer, retained: boolean) => void): () => void {
    this.#taps.add(listener);
    return () => this.#taps.delete(listener);
  }

  #tell(topic: string, payload: string | Buffer, retained: boolean): void {
    for (const tap of this.#taps) {
      try {
        tap(topic, payload, retained);
      } catch (error) {
        this.#logger.debug(`status tap on ${topic}: ${(error as Error).message}`);
      }
    }
  }

  /** The last retained state sent (or pending) on a topic. */
  lastState(topic: string): string | Buffer | undefined {
    return this.#states.get(topic)?.payload;
  }

  /** Everything again, configs first: after a (re)connect or when Home Assistant comes online. */
  async republish(): Promise<void> {
    // Each value is read when its turn comes, not when the re-send starts: one that changed meanwhile
    // was already sent new, and sending the old one after it would leave the broker with the old one.
    for (const topic of [...this.#discoveryJson.keys()]) {
      const json = this.#discoveryJson.get(topic);
      if (json !== undefined) await this.#send(topic, json, { qos: 1, retain: true });
    }
    for (const topic of [...this.#states.keys()]) {
      const entry = this.#states.get(topic);
      if (entry !== undefined) await this.#send(topic, entry.payload, { qos: entry.qos, retain: true });
    }
  }

  /**
   * A retained discovery config found on the broker (delivered when we subscribe). One of ours that
   * is no longer wanted (a camera removed from the config) is cleared; one that lost components gets
   * the removal step first so Home Assistant drops them instead of keeping ghosts.
   */
  async adoptRetained(topic: string, payload: Buffer): Promise<void> {
    if (payload.length === 0) return;
    const found = parseDevicePayload(payload);
    if (found === undefined || found.o.name !== this.#origin) return;
    // Another bridge instance's device (another base topic on the same broker) is not ours to touch.
    if (!belongsTo(found, this.#owner)) return;
    const wanted = this.#discovery.get(topic);
    if (wanted === undefined && this.#expected.has(topic)) {
      this.#foundRetained.set(topic, found);
      return;
    }
    if (wanted === undefined) {
      this.#logger.info(`Removing stale discovery ${topic}`);
      await this.#send(topic, '', { qos: 1, retain: true });
      return;
    }
    const json = this.#discoveryJson.get(topic);
    if (json === undefined || payload.toString('utf8') === json) return;
    const removal = removalPayload(found, wanted);
    if (removal !== undefined) await this.#send(topic, JSON.stringify(removal), { qos: 1, retain: true });
    await this.#send(topic, json, { qos: 1, retain: true });
  }

  async #send(topic: string, payload: string | Buffer, options: PublishOptions): Promise<void> {
    if (!this.#sender.connected) return; // remembered; republish() sends it on connect
    try {
      await this.#sender.publish(topic, payload, options);
    } catch (error) {
      // The connection dropped mid-publish; the next connect re-publishes every remembered payload.
      this.#logger.debug(`Publish to ${topic} failed: ${(error as Error).message}`);
    }
  }
}

/** Compares in place: a JPEG is never copied just to be compared (Buffer.from(buffer) copies). */
function samePayload(a: string | Buffer, b: string | Buffer): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (typeof a !== 'string' && typeof b !== 'string') return a.equals(b);
  return (typeof a === 'string' ? Buffer.from(a) : a).equals(typeof b === 'string' ? Buffer.from(b) : b);
}

/** The bridge device itself, or a device attached to it. */
function belongsTo(payload: DevicePayload, owner: string): boolean {
  const ids = payload.dev['ids'];
  return payload.dev['via_device'] === owner || (Array.isArray(ids) && ids.includes(owner));
}

function parseDevicePayload(payload: Buffer): DevicePayload | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const candidate = value as Partial<DevicePayload>;
    if (typeof candidate.o?.name !== 'string' || typeof candidate.cmps !== 'object' || candidate.cmps === null) return undefined;
    return candidate as DevicePayload;
  } catch {
    return undefined;
  }
}
