/**
 * A simulated CS2 P2P directory server (UDP, real port 32100): devices register with DEV_LGN;
 * HELLO -> HELLO_ACK(observed address); P2P_REQ -> P2P_REQ_ACK + PUNCH_TO(device) to the client and
 * PUNCH_TO(client) to the device; LIST_REQ1/LIST_REQ -> LIST_REQ_ACK(relays); RLY_REQ ->
 * RLY_REQ_ACK + RLY_TO(relay, magic) to the device. Unknown device ids get result -1. Bytes from
 * the simulator's own codec (wire.ts), not core's.
 */
import type { Socket } from 'node:dgram';
import { type SockAddr, formatDid } from '@camflow/core';
import { bindUdp, closeUdp } from './udp.js';
import { type SimMessage, decodeSim, encodeSim } from './wire.js';

export interface DirectoryServerOptions {
  host?: string;
  /** Default 0 (free port); real servers use 32100. */
  port?: number;
  /** Relays handed out in LIST_REQ_ACK. */
  relays?: readonly SockAddr[];
  /** Never answer clients (a dead server). Device registration still works. */
  silent?: boolean;
}

export class DirectoryServerSimulator {
  readonly #o: DirectoryServerOptions;
  readonly #devices = new Map<string, { address: string; port: number; from: SockAddr }>();
  #socket: Socket | undefined;
  /** Counters for tests. */
  readonly stats = { p2pRequests: 0, relayRequests: 0 };

  constructor(options: DirectoryServerOptions = {}) {
    this.#o = options;
  }

  get address(): SockAddr {
    const a = this.#socket?.address();
    return { address: a?.address ?? this.#o.host ?? '127.0.0.1', port: a?.port ?? 0 };
  }

  /** Relays can be added after start (they are usually started after the server). */
  relays: SockAddr[] = [];

  async start(): Promise<void> {
    if (this.#socket !== undefined) return;
    this.relays = [...(this.#o.relays ?? [])];
    this.#socket = await bindUdp(this.#o.host ?? '127.0.0.1', this.#o.port ?? 0);
    this.#socket.on('message', (msg, rinfo) => this.#onMessage(msg, { address: rinfo.address, port: rinfo.port }));
  }

  async stop(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#devices.clear();
    if (socket !== undefined) await closeUdp(socket);
  }

  #send(message: SimMessage, to: SockAddr): void {
    this.#socket?.send(encodeSim(message), to.port, to.address);
  }

  #onMessage(msg: Buffer, from: SockAddr): void {
    const m = decodeSim(msg);
    if (m === undefined) return;
    if (m.type === 'DEV_LGN') {
      // Where to punch: the device's observed address with the port it announces.
      this.#devices.set(formatDid(m.did), { address: from.address, port: m.local.port, from });
      return this.#send({ type: 'DEV_LGN_ACK', result: 0 }, from);
    }
    if (this.#o.silent === true) return;
    switch (m.type) {
      case 'HELLO':
        return this.#send({ type: 'HELLO_ACK', wan: from }, from);
      case 'P2P_REQ': {
        this.stats.p2pRequests++;
        const device = this.#devices.get(formatDid(m.did));
        if (device === undefined) return this.#send({ type: 'P2P_REQ_ACK', result: -1 }, from);
        this.#send({ type: 'P2P_REQ_ACK', result: 0 }, from);
        this.#send({ type: 'PUNCH_TO', to: { address: device.address, port: device.port } }, from);
        return this.#send({ type: 'PUNCH_TO', to: from }, device.from);
      }
      case 'LIST_REQ1':
      case 'LIST_REQ': {
        const known = this.#devices.has(formatDid(m.did));
        return this.#send({ type: 'LIST_REQ_ACK', relays: known ? this.relays.slice(0, 8) : [] }, from);
      }
      case 'RLY_REQ': {
        this.stats.relayRequests++;
        const device = this.#devices.get(formatDid(m.did));
        if (device === undefined) return this.#send({ type: 'RLY_REQ_ACK', result: -1 }, from);
        this.#send({ type: 'RLY_REQ_ACK', result: 0 }, from);
        return this.#send({ type: 'RLY_TO', relay: m.relay, magic: m.magic }, device.from);
      }
      default:
        return;
    }
  }
}
