/**
 * A simulated CS2 relay: RLY_HELLO -> RLY_HELLO_ACK; RLY_PORT opens a per-session socket and
 * answers RLY_PORT_ACK(magic, port). On that socket the client and the device each send RLY_PKT
 * with the magic; once both did, both get RLY_RDY(DID) and every later datagram is forwarded to the
 * other side. Bytes from the simulator's own codec (wire.ts), not core's.
 */
import type { Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import type { Did, SockAddr } from '@camflow/core';
import { bindUdp, closeUdp } from './udp.js';
import { type SimMessage, decodeSim, encodeSim } from './wire.js';

interface RelaySession {
  socket: Socket;
  lastActivity: number;
  magic: number;
  client?: SockAddr;
  device?: SockAddr;
  did?: Did;
}

export interface RelayOptions {
  host?: string;
  port?: number;
  /** Extra delay on every forwarded datagram (ms). */
  delayMs?: number;
  /** A session socket with no traffic for this long is closed. Default 5000 ms. */
  idleTimeoutMs?: number;
}

const same = (a: SockAddr | undefined, b: SockAddr): boolean => a !== undefined && a.address === b.address && a.port === b.port;

export class RelaySimulator {
  readonly #o: RelayOptions;
  readonly #sessions = new Set<RelaySession>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #socket: Socket | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  readonly stats = { forwarded: 0 };

  /** Relay sessions (each with its own socket) currently open. */
  get sessionCount(): number {
    return this.#sessions.size;
  }

  constructor(options: RelayOptions = {}) {
    this.#o = options;
  }

  get address(): SockAddr {
    const a = this.#socket?.address();
    return { address: a?.address ?? this.#o.host ?? '127.0.0.1', port: a?.port ?? 0 };
  }

  async start(): Promise<void> {
    if (this.#socket !== undefined) return;
    this.#socket = await bindUdp(this.#o.host ?? '127.0.0.1', this.#o.port ?? 0);
    this.#socket.on('message', (msg, rinfo) => void this.#onControl(msg, { address: rinfo.address, port: rinfo.port }));
    const idle = this.#o.idleTimeoutMs ?? 5000;
    this.#sweeper = setInterval(() => this.#sweep(idle), Math.min(1000, idle));
    this.#sweeper.unref();
  }

  #sweep(idleMs: number): void {
    const now = performance.now();
    for (const session of this.#sessions) {
      if (now - session.lastActivity < idleMs) continue;
      this.#sessions.delete(session);
      void closeUdp(session.socket);
    }
  }

  async stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    clearInterval(this.#sweeper);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    const sockets = [...this.#sessions].map((s) => s.socket);
    this.#sessions.clear();
    await Promise.all([...sockets, ...(socket === undefined ? [] : [socket])].map(closeUdp));
  }

  async #onControl(msg: Buffer, from: SockAddr): Promise<void> {
    const m = decodeSim(msg);
    if (m === undefined) return;
    if (m.type === 'RLY_HELLO') return this.#reply(this.#socket, { type: 'RLY_HELLO_ACK' }, from);
    if (m.type !== 'RLY_PORT') return;
    const existing = [...this.#sessions].find((s) => same(s.client, from));
    const session = existing ?? (await this.#openSession(from));
    if (session === undefined) return;
    this.#reply(this.#socket, { type: 'RLY_PORT_ACK', magic: session.magic, port: session.socket.address().port }, from);
  }

  async #openSession(client: SockAddr): Promise<RelaySession | undefined> {
    if (this.#socket === undefined) return undefined;
    const socket = await bindUdp(this.#o.host ?? '127.0.0.1', 0);
    if (this.#socket === undefined) {
      await closeUdp(socket);
      return undefined;
    }
    const session: RelaySession = { socket, lastActivity: performance.now(), magic: randomInt(1, 0x7fff_ffff), client };
    this.#sessions.add(session);
    socket.on('message', (msg, rinfo) => this.#onSessionData(session, msg, { address: rinfo.address, port: rinfo.port }));
    return session;
  }

  #onSessionData(session: RelaySession, msg: Buffer, from: SockAddr): void {
    session.lastActivity = performance.now();
    const m = decodeSim(msg);
    if (m?.type === 'RLY_PKT') {
      if (m.magic !== session.magic) return;
      if (m.fromDevice) session.device = from;
      else session.client = from;
      session.did = m.did;
      if (session.client !== undefined && session.device !== undefined) {
        this.#reply(session.socket, { type: 'RLY_RDY', did: m.did }, session.client);
        this.#reply(session.socket, { type: 'RLY_RDY', did: m.did }, session.device);
      }
      return;
    }
    const to = same(session.client, from) ? session.device : same(session.device, from) ? session.client : undefined;
    if (to === undefined) return;
    this.stats.forwarded++;
    const forward = (): void => session.socket.send(msg, to.port, to.address);
    const delay = this.#o.delayMs ?? 0;
    if (delay <= 0) return forward();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      forward();
    }, delay);
    this.#timers.add(timer);
  }

  #reply(socket: Socket | undefined, message: SimMessage, to: SockAddr): void {
    socket?.send(encodeSim(message), to.port, to.address);
  }
}
