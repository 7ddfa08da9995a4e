/**
 * The embedded MQTT broker (aedes) started when no `mqtt.url` is configured, so a newcomer sees the
 * bridge work without installing Mosquitto. Listens on loopback by default; port 0 picks a free one.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ConfigError, isLoopbackAddress, type Logger } from '@camflow/core';
import { sameSecret } from '../shared/secret.js';
import { Aedes } from 'aedes';

export interface EmbeddedBrokerOptions {
  host?: string;
  port?: number;
  logger?: Logger;
  /**
   * Required of every client when set (the bridge passes mqtt.username/password): anonymous clients and
   * wrong passwords are refused. Without it the broker must listen on loopback only.
   */
  credentials?: { username: string; password: string };
}

/** Loopback only: 127.0.0.0/8, ::1, localhost. */
export const isLoopbackHost = isLoopbackAddress;


export class EmbeddedBroker {
  readonly #host: string;
  readonly #requestedPort: number;
  readonly #logger: Logger | undefined;
  readonly #credentials: { username: string; password: string } | undefined;
  readonly #sockets = new Set<Socket>();
  #broker: Aedes | undefined;
  #server: Server | undefined;
  #port = 0;

  constructor(options: EmbeddedBrokerOptions = {}) {
    this.#host = options.host ?? '127.0.0.1';
    this.#requestedPort = options.port ?? 1883;
    this.#logger = options.logger;
    this.#credentials = options.credentials;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `mqtt://${host}:${this.#port}`;
  }

  async start(): Promise<void> {
    if (this.#server !== undefined) return;
    if (this.#credentials === undefined && !isLoopbackHost(this.#host)) {
      throw new ConfigError(
        `mqtt.embedded.host is ${this.#host}, but no mqtt.username and mqtt.password are set: anyone on the network could read ` +
          'camera images and press buttons. Set both (the embedded broker then requires them), or keep the host 127.0.0.1',
      );
    }
    const broker = await Aedes.createBroker();
    const credentials = this.#credentials;
    if (credentials !== undefined) {
      broker.authenticate = (client, username, password, done) => {
        const ok = username !== undefined && password !== undefined && sameSecret(username, credentials.username) && sameSecret(password.toString('utf8'), credentials.password);
        if (ok) return done(null, true);
        this.#logger?.warn(`Embedded MQTT broker: refused client '${client?.id ?? '?'}' (${username === undefined ? 'no credentials' : 'wrong username or password'})`);
        const error = Object.assign(new Error('bad username or password'), { returnCode: 4 });
        done(error as never, false);
      };
    }
    // No Nagle: a small QoS 0 state would otherwise wait for the subscriber's delayed ACK (~40 ms).
    const server = createServer({ noDelay: true }, (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      broker.handle(socket);
    });
    this.#broker = broker;
    this.#server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.#requestedPort, this.#host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await this.stop();
      throw error;
    }
    const address = server.address();
    this.#port = typeof address === 'object' && address !== null ? address.port : this.#requestedPort;
    this.#logger?.info(`Embedded MQTT broker listening on ${this.url}`);
  }

  /** Idempotent: closes the listener, every client socket and the broker. */
  async stop(): Promise<void> {
    const server = this.#server;
    const broker = this.#broker;
    this.#server = undefined;
    this.#broker = undefined;
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    if (server?.listening === true) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (broker !== undefined) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }
}
