/**
 * The simulated camera's side of one PPPP session: its own DRW bookkeeping (not core's: a client
 * bug must not hide in a simulator built from the same code), ACKs listing every copy received,
 * fast resends, ALIVE every second when idle, and CLOSE when its ALIVEs go unanswered, as the
 * captures show. Fault injection: lose, duplicate and reorder outgoing DRWs; start indexes near the
 * u16 wrap.
 */
import { encodeDrw, encodeDrwAck, encodeMessage } from '@camflow/core';
import type { SimMessage } from './wire.js';

export interface DrwFaults {
  /** Drop this share of outgoing DRW transmissions (resends recover them). */
  lossRate?: number;
  /** Send every DRW twice. */
  duplicate?: boolean;
  /** Swap consecutive outgoing DRWs (each pair sent in reverse order). */
  reorder?: boolean;
  /** First index per channel (real cameras: 0). */
  initialIndex?: number;
}

export interface DeviceLinkOptions {
  send: (packet: Buffer) => void;
  onData: (channel: number, data: Buffer) => void;
  onClose: (reason: string) => void;
  faults: DrwFaults;
  retransmitMs: number;
  aliveIntervalMs: number;
  /** Close after this long with every ALIVE unanswered. */
  aliveTimeoutMs: number;
}

const MAX_DATA = 1024;

export class DeviceLink {
  readonly #o: DeviceLinkOptions;
  readonly #nextOut = new Map<number, number>();
  readonly #unacked = new Map<string, { packet: Buffer; sentAt: number; tries: number }>();
  readonly #expected = new Map<number, number>();
  readonly #early = new Map<string, Buffer>();
  readonly #acks = new Map<number, number[]>();
  #held: Buffer | undefined;
  #timer: NodeJS.Timeout;
  #lastSent = performance.now();
  #firstUnansweredAlive: number | undefined;
  #open = true;
  /** Data DRWs received (every copy), for tests. */
  receivedDrws = 0;

  constructor(options: DeviceLinkOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.#tick(), Math.max(5, Math.min(options.retransmitMs, 100)));
    this.#timer.unref();
  }

  get open(): boolean {
    return this.#open;
  }

  /** Sends data on a channel, cut into <= 1024-byte DRWs. */
  write(channel: number, data: Buffer): void {
    for (let offset = 0; offset < data.length; offset += MAX_DATA) {
      const index = this.#nextOut.get(channel) ?? (this.#o.faults.initialIndex ?? 0) & 0xffff;
      this.#nextOut.set(channel, (index + 1) & 0xffff);
      const packet = encodeDrw(channel, index, data.subarray(offset, offset + MAX_DATA));
      this.#unacked.set(`${channel}:${index}`, { packet, sentAt: performance.now(), tries: 0 });
      this.#transmitDrw(packet);
    }
    this.#flushHeld();
  }

  handle(message: SimMessage): void {
    if (!this.#open) return;
    switch (message.type) {
      case 'DRW':
        return this.#onDrw(message.channel, message.index, message.data);
      case 'DRW_ACK':
        for (const index of message.indexes) this.#unacked.delete(`${message.channel}:${index}`);
        return;
      case 'ALIVE':
        return this.#raw(encodeMessage({ type: 'ALIVE_ACK' }));
      case 'ALIVE_ACK':
        this.#firstUnansweredAlive = undefined;
        return;
      default:
        return;
    }
  }

  /** Ends the session; `sendClose` tells the peer (CLOSE), as the camera does when it gives up. */
  end(sendClose: boolean, reason: string): void {
    if (!this.#open) return;
    if (sendClose) this.#raw(encodeMessage({ type: 'CLOSE' }));
    this.#open = false;
    clearInterval(this.#timer);
    this.#unacked.clear();
    this.#o.onClose(reason);
  }

  #onDrw(channel: number, index: number, data: Buffer): void {
    this.receivedDrws++;
    const acks = this.#acks.get(channel) ?? [];
    acks.push(index);
    this.#acks.set(channel, acks);
    if (acks.length === 1 && this.#acks.size === 1) setImmediate(() => this.#flushAcks());
    const expected = this.#expected.get(channel) ?? 0;
    const ahead = (index - expected) & 0xffff;
    if (ahead >= 0x8000) return; // a copy of something delivered already
    if (ahead > 0) {
      this.#early.set(`${channel}:${index}`, data);
      return;
    }
    let next = index;
    let chunk: Buffer | undefined = data;
    while (chunk !== undefined) {
      this.#early.delete(`${channel}:${next}`);
      this.#o.onData(channel, chunk);
      next = (next + 1) & 0xffff;
      chunk = this.#early.get(`${channel}:${next}`);
    }
    this.#expected.set(channel, next);
  }

  #flushAcks(): void {
    if (!this.#open) return;
    for (const [channel, indexes] of this.#acks) this.#raw(encodeDrwAck(channel, indexes));
    this.#acks.clear();
  }

  #transmitDrw(packet: Buffer): void {
    const f = this.#o.faults;
    if (f.lossRate !== undefined && Math.random() < f.lossRate) return;
    const copies = f.duplicate === true ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (f.reorder === true && this.#held === undefined) {
        this.#held = packet;
        continue;
      }
      this.#raw(packet);
      this.#flushHeld();
    }
  }

  #flushHeld(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined) this.#raw(held);
  }

  #raw(packet: Buffer): void {
    if (!this.#open) return;
    this.#lastSent = performance.now();
    this.#o.send(packet);
  }

  #tick(): void {
    const now = performance.now();
    this.#flushHeld();
    for (const entry of this.#unacked.values()) {
      if (now - entry.sentAt < this.#o.retransmitMs) continue;
      entry.sentAt = now;
      if (++entry.tries > 200) return this.end(true, 'peer stopped acknowledging');
      this.#transmitDrw(entry.packet);
    }
    if (this.#firstUnansweredAlive !== undefined && now - this.#firstUnansweredAlive >= this.#o.aliveTimeoutMs) {
      return this.end(true, 'ALIVE unanswered');
    }
    if (now - this.#lastSent >= this.#o.aliveIntervalMs) {
      this.#firstUnansweredAlive ??= now;
      this.#raw(encodeMessage({ type: 'ALIVE' }));
    }
  }
}
