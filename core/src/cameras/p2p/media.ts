/**
 * ARTEMIS commands after login (JSON shapes from the captures, trailcam-artemis.md): device info
 * (512), media list (768, paged), thumbnails (772, images on channel 4), live video (258/259,
 * records on channel 1), and full files (1285, chunks on channel 3; see file-codec.ts for what is
 * assumed there).
 */
import { ConfigError, ProtocolError, TimeoutError, abortErrorFrom } from '../../errors.js';
import type { MediaRecord } from './artemis-codec.js';
import type { ArtemisConnection, Thumbnail } from './artemis.js';
import { FileAssembly, type FileChunk, type FileRef, fileDownloadRefusal, fileDownloadRequest } from './file-codec.js';

export interface CommandOptions {
  signal?: AbortSignal;
}

/** One entry of the camera's media list (cmdId 768). */
export interface MediaItem {
  fileType: number;
  mediaDirNum: number;
  mediaNum: number;
  durationMs: number;
  mediaId: number;
  mediaTime: number;
}

/** The camera rejects pages of 50 or more (pwnb0t); the app asks for 45. */
const DEFAULT_PAGE = 45;

export class MediaCommands {
  readonly #artemis: ArtemisConnection;
  readonly #token: number;
  readonly #timeoutMs: number;
  #thumbnailQueue: Promise<unknown> = Promise.resolve();

  constructor(artemis: ArtemisConnection, token: number, timeoutMs: number) {
    this.#artemis = artemis;
    this.#token = token;
    this.#timeoutMs = timeoutMs;
  }

  async #command(json: Record<string, unknown>, o: CommandOptions): Promise<Record<string, unknown>> {
    const reply = await this.#artemis.request(
      { ...json, token: this.#token },
      { timeoutMs: this.#timeoutMs, ...(o.signal === undefined ? {} : { signal: o.signal }) },
    );
    if (reply['result'] !== 0) {
      const message = typeof reply['errorMsg'] === 'string' ? reply['errorMsg'] : 'no message';
      throw new ProtocolError(`cmdId ${String(json['cmdId'])} failed: result ${String(reply['result'])} (${message})`);
    }
    return reply;
  }

  deviceInfo(o: CommandOptions): Promise<Record<string, unknown>> {
    return this.#command({ cmdId: 512 }, o);
  }

  async mediaList(o: CommandOptions & { pageSize?: number; maxItems?: number }): Promise<MediaItem[]> {
    const pageSize = o.pageSize ?? DEFAULT_PAGE;
    const maxItems = o.maxItems ?? Infinity;
    const items: MediaItem[] = [];
    for (let pageNo = 0; items.length < maxItems; pageNo++) {
      const reply = await this.#command({ cmdId: 768, itemCntPerPage: pageSize, pageNo }, o);
      const files = reply['mediaFiles'];
      if (!Array.isArray(files)) throw new ProtocolError('media list reply has no mediaFiles array');
      items.push(...files.map(toMediaItem));
      if (files.length < pageSize) break;
    }
    return items.slice(0, maxItems);
  }

  /**
   * One whole photo or video (cmdId 1285): `onChunk` gets its bytes in order (awaited, so a slow disk
   * slows nothing else down but this transfer). Resolves with the size once the last byte is written.
   * Fails on a refusal, a broken chunk order, the session closing, or no data for the timeout.
   */
  download(ref: FileRef, o: CommandOptions & { onChunk: (chunk: FileChunk) => Promise<void> | void }): Promise<{ bytes: number }> {
    const run = this.#thumbnailQueue.then(() => this.#downloadNow(ref, o));
    this.#thumbnailQueue = run.catch(() => {});
    return run;
  }

  #downloadNow(ref: FileRef, o: CommandOptions & { onChunk: (chunk: FileChunk) => Promise<void> | void }): Promise<{ bytes: number }> {
    const assembly = new FileAssembly(ref);
    const name = `${ref.dirNum}/${ref.mediaNum}`;
    return new Promise((resolve, reject) => {
      let idle: NodeJS.Timeout | undefined;
      let writing: Promise<void> = Promise.resolve();
      let settled = false;
      const offs: (() => void)[] = [];
      const finish = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        for (const off of offs) off();
        o.signal?.removeEventListener('abort', onAbort);
        if (error !== undefined) {
          writing.catch(() => {});
          reject(error);
        } else writing.then(() => resolve({ bytes: assembly.received }), reject);
      };
      const arm = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish(new TimeoutError(`no data of file ${name} for ${this.#timeoutMs} ms (${assembly.received}${assembly.size === undefined ? '' : ` of ${assembly.size}`} bytes)`)), this.#timeoutMs);
      };
      const onAbort = (): void => finish(abortErrorFrom(o.signal as AbortSignal));
      offs.push(
        this.#artemis.on('fileChunk', (chunk) => {
          if (settled || !assembly.owns(chunk)) return;
          try {
            const whole = assembly.accept(chunk);
            arm();
            writing = writing.then(() => o.onChunk(chunk));
            // A failed write ends the transfer now, not at the last chunk.
            writing.catch((error: unknown) => finish(error as Error));
            if (whole) finish();
          } catch (error) {
            finish(error as Error);
          }
        }),
        this.#artemis.on('fileError', (error) => finish(error)),
        this.#artemis.on('closed', (error) => finish(error)),
      );
      if (o.signal?.aborted === true) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      arm();
      this.#command(fileDownloadRequest(ref), o).then(
        (reply) => {
          const refusal = fileDownloadRefusal(reply);
          if (refusal !== undefined) finish(new ProtocolError(`the camera refused file ${name}: ${refusal}`));
        },
        (error: unknown) => finish(error as Error),
      );
    });
  }

  /** One thumbnail. Requests go one at a time so each image on channel 4 maps to its request. */
  thumbnail(item: MediaItem | string, o: CommandOptions): Promise<Buffer> {
    const target = typeof item === 'string' ? parseMediaRef(item) : { fileType: item.fileType, dirNum: item.mediaDirNum, mediaNum: item.mediaNum };
    const run = this.#thumbnailQueue.then(() => this.#thumbnailNow(target, o));
    this.#thumbnailQueue = run.catch(() => {});
    return run;
  }

  async #thumbnailNow(target: Omit<Thumbnail, 'jpeg'>, o: CommandOptions): Promise<Buffer> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), ...(o.signal === undefined ? [] : [o.signal])]);
    const image = nextMatching(this.#artemis, 'thumbnail', (t: Thumbnail) => t.dirNum === target.dirNum && t.mediaNum === target.mediaNum, signal);
    image.catch(() => {});
    await this.#command({ cmdId: 772, thumbnailReqs: [target] }, o);
    try {
      return (await image).jpeg;
    } catch (error) {
      if (error instanceof TimeoutError) throw new TimeoutError(`no thumbnail for ${target.dirNum}/${target.mediaNum} within ${this.#timeoutMs} ms`);
      throw error;
    }
  }

  async *liveVideo(o: CommandOptions, subscribe: (listener: (record: MediaRecord) => void) => () => void): AsyncGenerator<MediaRecord> {
    const queue: MediaRecord[] = [];
    let wake: (() => void) | undefined;
    const off = subscribe((record) => {
      queue.push(record);
      wake?.();
    });
    const onAbort = (): void => wake?.();
    o.signal?.addEventListener('abort', onAbort);
    try {
      await this.#command({ cmdId: 258 }, o);
      while (o.signal?.aborted !== true) {
        const record = queue.shift();
        if (record !== undefined) {
          yield record;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      off();
      o.signal?.removeEventListener('abort', onAbort);
      await this.#command({ cmdId: 259 }, {}).catch(() => {});
    }
  }
}

function toMediaItem(value: unknown): MediaItem {
  const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const num = (key: string): number => {
    const n = v[key];
    if (typeof n !== 'number') throw new ProtocolError(`media list entry lacks ${key}`);
    return n;
  };
  return {
    fileType: num('fileType'),
    mediaDirNum: num('mediaDirNum'),
    mediaNum: num('mediaNum'),
    durationMs: typeof v['durationMs'] === 'number' ? v['durationMs'] : 0,
    mediaId: num('mediaId'),
    mediaTime: num('mediaTime'),
  };
}

/** `DIR/NUM` (e.g. `100/318`) or just `NUM` (directory 100), as the CLI prints them. */
export function parseMediaRef(text: string): Omit<Thumbnail, 'jpeg'> {
  const match = /^(?:(\d+)\/)?(\d+)$/.exec(text.trim());
  if (match === null) throw new ConfigError(`expected a media reference such as 100/318, got ${JSON.stringify(text)}`);
  return { fileType: 0, dirNum: Number(match[1] ?? 100), mediaNum: Number(match[2]) };
}

function nextMatching(
  emitter: ArtemisConnection,
  event: 'thumbnail',
  match: (value: Thumbnail) => boolean,
  signal: AbortSignal,
): Promise<Thumbnail> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      off();
      reject(abortErrorFrom(signal));
    };
    const off = emitter.on(event, (value) => {
      if (!match(value)) return;
      off();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
