/**
 * DRW reliability bookkeeping (no I/O): per-channel send indexes, the unacknowledged set to resend,
 * and a receive reorder buffer that delivers in index order, drops duplicates and survives the
 * u16 index wrap. The session owns the socket and the timers; this only decides.
 */

const INDEX_SPACE = 0x1_0000;
/** An index this far ahead of the expected one or more is treated as old (a duplicate). */
const HALF_SPACE = 0x8000;
/** Out-of-order DRWs held back per channel before we stop buffering (a broken peer, not loss). */
const MAX_BUFFERED = 4096;

export interface Outgoing {
  channel: number;
  index: number;
  packet: Buffer;
  sentAt: number;
  resends: number;
  acked: () => void;
}

export class DrwSender {
  readonly #nextIndex = new Map<number, number>();
  readonly #unacked = new Map<string, Outgoing>();
  readonly #initialIndex: number;

  constructor(initialIndex = 0) {
    this.#initialIndex = initialIndex & 0xffff;
  }

  /** Takes the next index on `channel`. */
  allocate(channel: number): number {
    const index = this.#nextIndex.get(channel) ?? this.#initialIndex;
    this.#nextIndex.set(channel, (index + 1) % INDEX_SPACE);
    return index;
  }

  track(outgoing: Outgoing): void {
    this.#unacked.set(key(outgoing.channel, outgoing.index), outgoing);
  }

  /** Marks indexes acknowledged; an ACK may list an index several times (one per copy received). */
  acknowledge(channel: number, indexes: readonly number[]): void {
    for (const index of indexes) {
      const outgoing = this.#unacked.get(key(channel, index));
      if (outgoing === undefined) continue;
      this.#unacked.delete(key(channel, index));
      outgoing.acked();
    }
  }

  /** DRWs sent more than `afterMs` ago and still unacknowledged. */
  due(now: number, afterMs: number): Outgoing[] {
    return [...this.#unacked.values()].filter((o) => now - o.sentAt >= afterMs);
  }

  get unackedCount(): number {
    return this.#unacked.size;
  }

  clear(): Outgoing[] {
    const left = [...this.#unacked.values()];
    this.#unacked.clear();
    return left;
  }
}

export class DrwReceiver {
  readonly #expected = new Map<number, number>();
  readonly #held = new Map<number, Map<number, Buffer>>();
  readonly #initialIndex: number;

  constructor(initialIndex = 0) {
    this.#initialIndex = initialIndex & 0xffff;
  }

  /**
   * Accepts one DRW; returns the data now deliverable in order (possibly several, possibly none).
   * Duplicates and old indexes return nothing (the caller still ACKs them: the peer missed our ACK).
   */
  accept(channel: number, index: number, data: Buffer): Buffer[] {
    const expected = this.#expected.get(channel) ?? this.#initialIndex;
    const ahead = (index - expected + INDEX_SPACE) % INDEX_SPACE;
    if (ahead >= HALF_SPACE) return [];
    let held = this.#held.get(channel);
    if (ahead > 0) {
      if (held === undefined) this.#held.set(channel, (held = new Map()));
      if (held.size < MAX_BUFFERED && !held.has(index)) held.set(index, data);
      return [];
    }
    const ready = [data];
    let next = (expected + 1) % INDEX_SPACE;
    for (let chunk = held?.get(next); chunk !== undefined; chunk = held?.get(next)) {
      held?.delete(next);
      ready.push(chunk);
      next = (next + 1) % INDEX_SPACE;
    }
    this.#expected.set(channel, next);
    return ready;
  }
}

function key(channel: number, index: number): string {
  return `${channel}:${index}`;
}
