/**
 * The ARTEMIS command layer over an open PPPP session: encrypted JSON requests on channel 0 matched
 * to replies by seq, heartbeats (their own seq space from 0x00010001, no reply), and the streams the
 * camera pushes: live media records (channel 1), file downloads (channel 3), thumbnails (channel 4),
 * events (channel 6).
 */
import { ProtocolError, TimeoutError, abortErrorFrom } from '../../errors.js';
import { TypedEmitter } from '../../events.js';
import { type Logger, noopLogger } from '../../log.js';
import {
  type ArtemisFrame,
  ArtemisType,
  type MediaRecord,
  decodeEventPayload,
  decodeMediaRecord,
  decryptCommand,
  encodeArtemisFrame,
  encryptCommand,
} from './artemis-codec.js';
import { ArtemisStreamParser } from './artemis-stream.js';
import { decodeFileChunk, type FileChunk } from './file-codec.js';
import type { PpppSession } from './session.js';

export const Channel = { CONTROL: 0, LIVE: 1, FILE: 3, THUMBNAIL: 4, EVENT: 6 } as const;

export interface Thumbnail {
  fileType: number;
  dirNum: number;
  mediaNum: number;
  jpeg: Buffer;
}

export interface ArtemisEvents {
  event: Record<string, unknown>;
  media: MediaRecord;
  thumbnail: Thumbnail;
  /** A piece of a file being downloaded (cmdId 1285, channel 3), or why one could not be read. */
  fileChunk: FileChunk;
  fileError: Error;
  /** The session ended (failAll): transfers waiting for data stop at once. */
  closed: Error;
  hello: Buffer;
}

/** Layout camflow's simulator uses on channel 4 (not decoded from captures): 16-byte header, then JPEG. */
export const THUMBNAIL_HEADER_SIZE = 16;

export class ArtemisConnection extends TypedEmitter<ArtemisEvents> {
  readonly #session: PpppSession;
  readonly #log: Logger;
  readonly #parsers = new Map<number, ArtemisStreamParser>();
  readonly #waiting = new Map<number, { resolve: (reply: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  #seq = 0;
  #heartbeatSeq = 0x0001_0000;
  #helloSeen = false;

  constructor(session: PpppSession, logger: Logger = noopLogger) {
    super();
    this.#session = session;
    this.#log = logger;
    session.on('data', ({ channel, data }) => this.#onData(channel, data));
  }

  get helloSeen(): boolean {
    return this.#helloSeen;
  }

  /** Sends a command and waits for the reply with the same seq. */
  async request(json: Record<string, unknown>, options: { signal?: AbortSignal; timeoutMs: number }): Promise<Record<string, unknown>> {
    const seq = ++this.#seq;
    const frame = encodeArtemisFrame({ event: false, type: ArtemisType.REQUEST, seq }, encryptCommand(json));
    const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal === undefined ? [] : [options.signal])];
    const signal = AbortSignal.any(signals);
    const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
      const onAbort = (): void => {
        this.#waiting.delete(seq);
        const error = abortErrorFrom(signal);
        reject(error instanceof TimeoutError ? new TimeoutError(`no reply to cmdId ${String(json['cmdId'])} within ${options.timeoutMs} ms`) : error);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal.removeEventListener('abort', onAbort);
      this.#waiting.set(seq, {
        resolve: (value) => {
          settle();
          resolve(value);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      });
    });
    const sent = this.#session.send(Channel.CONTROL, frame, signal);
    sent.catch(() => {}); // a failed send surfaces through the reply wait (abort or session close)
    return reply;
  }

  /** `{"cmdId":525}`: acknowledged at the DRW level only. */
  heartbeat(signal?: AbortSignal): Promise<void> {
    this.#heartbeatSeq = (this.#heartbeatSeq + 1) >>> 0;
    const frame = encodeArtemisFrame({ event: false, type: ArtemisType.REQUEST, seq: this.#heartbeatSeq }, encryptCommand({ cmdId: 525 }));
    return this.#session.send(Channel.CONTROL, frame, signal);
  }

  /** Fails every waiting request (the session closed). */
  failAll(error: Error): void {
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const waiter of waiting) waiter.reject(error);
    this.emit('closed', error);
  }

  #onData(channel: number, data: Buffer): void {
    let parser = this.#parsers.get(channel);
    if (parser === undefined) this.#parsers.set(channel, (parser = new ArtemisStreamParser()));
    try {
      for (const item of parser.push(data)) {
        if (item.kind === 'raw') this.#onRaw(channel, item.data);
        else this.#onFrame(channel, item.frame);
      }
    } catch (error) {
      this.#log.warn(`channel ${channel}: ${(error as Error).message}`);
    }
  }

  #onRaw(channel: number, data: Buffer): void {
    if (channel === Channel.CONTROL && !this.#helloSeen) {
      this.#helloSeen = true;
      this.emit('hello', data);
      return;
    }
    this.#log.debug(`channel ${channel}: ${data.length} bytes outside any ARTEMIS frame`);
  }

  #onFrame(channel: number, frame: ArtemisFrame): void {
    if (frame.event) return this.emit('event', decodeEventPayload(frame.payload));
    if (channel === Channel.LIVE) return this.emit('media', decodeMediaRecord(frame.payload));
    if (channel === Channel.THUMBNAIL) return this.emit('thumbnail', decodeThumbnail(frame.payload));
    if (channel === Channel.FILE) {
      try {
        return this.emit('fileChunk', decodeFileChunk(frame.payload));
      } catch (error) {
        return this.emit('fileError', error as Error);
      }
    }
    if (frame.type !== ArtemisType.REPLY) return;
    const waiter = this.#waiting.get(frame.seq);
    if (waiter === undefined) return this.#log.debug(`reply seq ${frame.seq} matches no request`);
    this.#waiting.delete(frame.seq);
    try {
      waiter.resolve(decryptCommand(frame.payload));
    } catch (error) {
      waiter.reject(error as Error);
    }
  }
}

export function decodeThumbnail(payload: Buffer): Thumbnail {
  if (payload.length < THUMBNAIL_HEADER_SIZE + 4) throw new ProtocolError('thumbnail record too short');
  const jpeg = payload.subarray(THUMBNAIL_HEADER_SIZE);
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg.at(-2) !== 0xff || jpeg.at(-1) !== 0xd9) {
    throw new ProtocolError('thumbnail record does not hold a whole JPEG');
  }
  return { fileType: payload.readUInt32LE(0), dirNum: payload.readUInt32LE(4), mediaNum: payload.readUInt32LE(8), jpeg };
}

export function encodeThumbnail(thumbnail: Thumbnail): Buffer {
  const header = Buffer.alloc(THUMBNAIL_HEADER_SIZE);
  header.writeUInt32LE(thumbnail.fileType, 0);
  header.writeUInt32LE(thumbnail.dirNum, 4);
  header.writeUInt32LE(thumbnail.mediaNum, 8);
  header.writeUInt32LE(thumbnail.jpeg.length, 12);
  return Buffer.concat([header, thumbnail.jpeg]);
}
