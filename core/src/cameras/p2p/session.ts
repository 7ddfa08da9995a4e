/**
 * A PPPP session over one UDP socket, after a path's handshake (P2P_RDY / RLY_RDY) succeeded:
 * reliable DRW channels (ACKs batching several indexes, resend, reorder, duplicates, index wrap),
 * ALIVE answered and sent when idle, CLOSE both ways, and a dead camera detected when it stops
 * answering. The session owns the socket from start() and closes it in close().
 */
import type { Socket } from 'node:dgram';
import { ConnectionError, TimeoutError, abortErrorFrom } from '../../errors.js';
import { TypedEmitter } from '../../events.js';
import { type Logger, noopLogger } from '../../log.js';
import { MAX_DRW_DATA, type SockAddr } from './codec.js';
import { DrwReceiver, DrwSender } from './drw.js';
import { decodeMessage, encodeDrw, encodeDrwAck, encodeMessage } from './messages.js';

export interface PpppSessionOptions {
  /** A bound socket; the session takes it over (and closes it). */
  socket: Socket;
  remote: SockAddr;
  logger?: Logger;
  /** Resend an unacknowledged DRW after this long. Default 50 ms (captures: 10-41 ms). */
  retransmitMs?: number;
  /** Give up on a DRW (and the session) after this many resends. Default 60. */
  maxResends?: number;
  /** Send ALIVE when nothing was sent for this long. Default 1000 ms (captures: ~1 s). */
  aliveIntervalMs?: number;
  /** Declare the camera dead when nothing arrived for this long. Default 6000 ms. */
  deadAfterMs?: number;
  /** First DRW index per channel, both directions (0 on real devices; tests use it to cross the wrap). */
  initialIndex?: number;
}

export interface SessionEvents {
  data: { channel: number; data: Buffer };
  closed: { error?: Error; byPeer: boolean };
}

const MAX_ACK_INDEXES = 128;

export class PpppSession extends TypedEmitter<SessionEvents> {
  readonly remote: SockAddr;
  readonly #socket: Socket;
  readonly #log: Logger;
  readonly #retransmitMs: number;
  readonly #maxResends: number;
  readonly #aliveIntervalMs: number;
  readonly #deadAfterMs: number;
  readonly #sender: DrwSender;
  readonly #receiver: DrwReceiver;
  readonly #pendingAcks = new Map<number, number[]>();
  readonly #failers = new Set<(error: Error) => void>();
  #ackFlush: NodeJS.Immediate | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastSent = 0;
  #lastReceived = 0;
  #state: 'new' | 'open' | 'closed' = 'new';
  #closing: Promise<void> | undefined;

  constructor(options: PpppSessionOptions) {
    super();
    this.#socket = options.socket;
    this.remote = options.remote;
    this.#log = options.logger ?? noopLogger;
    this.#retransmitMs = options.retransmitMs ?? 50;
    this.#maxResends = options.maxResends ?? 60;
    this.#aliveIntervalMs = options.aliveIntervalMs ?? 1000;
    this.#deadAfterMs = options.deadAfterMs ?? 6000;
    this.#sender = new DrwSender(options.initialIndex);
    this.#receiver = new DrwReceiver(options.initialIndex);
  }

  get open(): boolean {
    return this.#state === 'open';
  }

  get localPort(): number {
    return this.#socket.address().port;
  }

  /** Starts receiving. `early` are datagrams the handshake buffered after its last message. */
  start(early: readonly { msg: Buffer; rinfo: SockAddr }[] = []): void {
    if (this.#state !== 'new') return;
    this.#state = 'open';
    this.#lastSent = this.#lastReceived = performance.now();
    this.#socket.on('message', this.#onDatagram);
    this.#socket.on('error', this.#onSocketError);
    const tick = Math.max(5, Math.min(this.#retransmitMs, this.#aliveIntervalMs / 2));
    this.#timer = setInterval(() => this.#onTick(), tick);
    this.#timer.unref();
    for (const { msg, rinfo } of early) this.#onDatagram(msg, rinfo);
  }

  /** Sends `data` on a DRW channel (split into <= 1024-byte DRWs); resolves once every piece is ACKed. */
  send(channel: number, data: Buffer, signal?: AbortSignal): Promise<void> {
    if (this.#state !== 'open') return Promise.reject(new ConnectionError('PPPP session is not open'));
    const pieces: Promise<void>[] = [];
    for (let offset = 0; offset < data.length || offset === 0; offset += MAX_DRW_DATA) {
      pieces.push(this.#sendPiece(channel, data.subarray(offset, offset + MAX_DRW_DATA)));
      if (data.length === 0) break;
    }
    const all = Promise.all(pieces).then(() => undefined);
    if (signal === undefined) return all;
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(abortErrorFrom(signal));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      all.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #sendPiece(channel: number, data: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const index = this.#sender.allocate(channel);
      const packet = encodeDrw(channel, index, data);
      const fail = (error: Error): void => reject(error);
      this.#failers.add(fail);
      this.#sender.track({
        channel,
        index,
        packet,
        sentAt: performance.now(),
        resends: 0,
        acked: () => {
          this.#failers.delete(fail);
          resolve();
        },
      });
      this.#transmit(packet);
    });
  }

  /** Sends CLOSE (unless the camera closed first) and releases the socket. Idempotent. */
  close(): Promise<void> {
    return this.#shutdown(undefined, false);
  }

  #shutdown(error: Error | undefined, byPeer: boolean): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const wasOpen = this.#state === 'open';
    this.#state = 'closed';
    clearInterval(this.#timer);
    if (this.#ackFlush !== undefined) clearImmediate(this.#ackFlush);
    this.#socket.off('message', this.#onDatagram);
    const failure = error ?? new ConnectionError('PPPP session closed');
    for (const fail of this.#failers) fail(failure);
    this.#failers.clear();
    this.#sender.clear();
    this.#closing = new Promise<void>((resolve) => {
      const finish = (): void => {
        try {
          this.#socket.close(() => resolve());
        } catch {
          resolve(); // already closed
        }
      };
      if (!byPeer && wasOpen) this.#socket.send(encodeMessage({ type: 'CLOSE' }), this.remote.port, this.remote.address, finish);
      else finish();
    });
    if (wasOpen) this.emit('closed', error === undefined ? { byPeer } : { error, byPeer });
    return this.#closing;
  }

  #transmit(packet: Buffer): void {
    if (this.#state !== 'open') return;
    this.#lastSent = performance.now();
    this.#socket.send(packet, this.remote.port, this.remote.address, (error) => {
      if (error !== null) this.#log.debug(`send failed: ${error.message}`);
    });
  }

  #onSocketError = (error: Error): void => {
    void this.#shutdown(new ConnectionError(`PPPP socket error: ${error.message}`, { cause: error }), false);
  };

  #onDatagram = (datagram: Buffer, rinfo: { address: string; port: number }): void => {
    if (rinfo.address !== this.remote.address || rinfo.port !== this.remote.port) return;
    let message;
    try {
      message = decodeMessage(datagram);
    } catch (error) {
      this.#log.debug(`ignored a malformed datagram: ${(error as Error).message}`);
      return;
    }
    this.#lastReceived = performance.now();
    switch (message.type) {
      case 'DRW':
        return this.#onDrw(message.channel, message.index, message.data);
      case 'DRW_ACK':
        return this.#sender.acknowledge(message.channel, message.indexes);
      case 'ALIVE':
        return this.#transmit(encodeMessage({ type: 'ALIVE_ACK' }));
      case 'CLOSE':
        void this.#shutdown(new ConnectionError('the camera closed the session'), true);
        return;
      default:
        return; // late handshake copies (P2P_RDY, P2P_RDY_ACK), ALIVE_ACK: liveness only
    }
  };

  #onDrw(channel: number, index: number, data: Buffer): void {
    // ACK every copy, duplicates included: the camera resends until it sees our ACK.
    let acks = this.#pendingAcks.get(channel);
    if (acks === undefined) this.#pendingAcks.set(channel, (acks = []));
    acks.push(index);
    this.#ackFlush ??= setImmediate(() => this.#flushAcks());
    for (const chunk of this.#receiver.accept(channel, index, data)) {
      this.emit('data', { channel, data: chunk });
    }
  }

  #flushAcks(): void {
    this.#ackFlush = undefined;
    for (const [channel, indexes] of this.#pendingAcks) {
      for (let i = 0; i < indexes.length; i += MAX_ACK_INDEXES) {
        this.#transmit(encodeDrwAck(channel, indexes.slice(i, i + MAX_ACK_INDEXES)));
      }
    }
    this.#pendingAcks.clear();
  }

  #onTick(): void {
    const now = performance.now();
    if (now - this.#lastReceived > this.#deadAfterMs) {
      void this.#shutdown(new TimeoutError(`the camera sent nothing for ${this.#deadAfterMs} ms`), false);
      return;
    }
    for (const outgoing of this.#sender.due(now, this.#retransmitMs)) {
      if (outgoing.resends >= this.#maxResends) {
        void this.#shutdown(new TimeoutError(`the camera did not acknowledge a DRW after ${outgoing.resends} resends`), false);
        return;
      }
      outgoing.resends++;
      outgoing.sentAt = now;
      this.#transmit(outgoing.packet);
    }
    if (now - this.#lastSent >= this.#aliveIntervalMs) this.#transmit(encodeMessage({ type: 'ALIVE' }));
  }
}
