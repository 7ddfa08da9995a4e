/**
 * A small test MQTT client: records every message it receives (topic, payload, QoS, retain flag) and
 * lets a test await the next message that matches, instead of sleeping. It subscribes at QoS 2, so the
 * broker delivers each message at the QoS its publisher used (delivery QoS = min(publish, subscribe)).
 */
import { connectAsync, type MqttClient } from 'mqtt';

export interface Received {
  topic: string;
  payload: Buffer;
  /** The QoS the broker delivered at: the publisher's, since we subscribe at 2. */
  qos: 0 | 1 | 2;
  /** True for a retained message replayed on subscribe (a live delivery has it false). */
  retain: boolean;
  text: string;
}

export interface TestClientOptions {
  username?: string;
  password?: string;
  /**
   * 5: MQTT 5 with "retain as published", so `retain` shows the publisher's flag on live deliveries
   * too (MQTT 3.1.1 brokers clear it on them). Needs a broker that speaks MQTT 5 (Mosquitto; not aedes).
   */
  protocolVersion?: 4 | 5;
}

type Matcher = (message: Received) => boolean;

export class TestMqttClient {
  readonly received: Received[] = [];
  #client: MqttClient | undefined;
  #subscribeOptions: { qos: 2; rap?: boolean } = { qos: 2 };
  #waiters = new Set<{ match: Matcher; resolve: (m: Received) => void }>();

  static async connect(url: string, subscriptions: string[] = ['#'], options: TestClientOptions = {}): Promise<TestMqttClient> {
    const client = new TestMqttClient();
    client.#client = await connectAsync(url, { reconnectPeriod: 0, clean: true, ...options });
    if (options.protocolVersion === 5) client.#subscribeOptions = { qos: 2, rap: true };
    client.#client.on('message', (topic, payload, packet) =>
      client.#record({ topic, payload, qos: packet.qos, retain: packet.retain, text: payload.toString('utf8') }),
    );
    if (subscriptions.length > 0) await client.#client.subscribeAsync(subscriptions, client.#subscribeOptions);
    return client;
  }

  async subscribe(topics: string[]): Promise<void> {
    await this.#client?.subscribeAsync(topics, this.#subscribeOptions);
  }

  async publish(topic: string, payload: string | Buffer, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<void> {
    await this.#client?.publishAsync(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  }

  /** Messages received so far on a topic. */
  on(topic: string): Received[] {
    return this.received.filter((m) => m.topic === topic);
  }

  /** The first message already received, or the next to arrive, that matches. */
  waitFor(topic: string, predicate: (m: Received) => boolean = () => true, options: { fromIndex?: number; timeoutMs?: number } = {}): Promise<Received> {
    const match: Matcher = (m) => m.topic === topic && predicate(m);
    const found = this.received.slice(options.fromIndex ?? 0).find(match);
    if (found !== undefined) return Promise.resolve(found);
    return this.next(match, options.timeoutMs ?? 10_000, topic);
  }

  /** The next message to arrive (not one already received) that matches. */
  next(match: Matcher, timeoutMs = 10_000, what = 'a message'): Promise<Received> {
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (m: Received) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${what}; got: ${this.received.map((m) => m.topic).slice(-20).join(', ')}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Index to pass as `fromIndex` to look only at messages after this point. */
  mark(): number {
    return this.received.length;
  }

  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.endAsync(true);
  }

  #record(message: Received): void {
    this.received.push(message);
    for (const waiter of [...this.#waiters]) {
      if (waiter.match(message)) {
        this.#waiters.delete(waiter);
        waiter.resolve(message);
      }
    }
  }
}
