/**
 * An RTSP camera through ffmpeg: a snapshot (one frame, or the camera's HTTP snapshot URL), clips by
 * stream copy into MP4 with the index first (written as `.part`, renamed when whole), optionally
 * reaching back into the pre-event buffer, and low-resolution gray frames for motion detection.
 * Nothing runs until asked; close() ends every ffmpeg it started.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { RtspCameraConfig } from '../../config/rtsp.js';
import { AuthError, CamflowError, ProtocolError } from '../../errors.js';
import { type Logger, noopLogger, registerSecret } from '../../log.js';
import { CameraHttpClient } from '../../http/client.js';
import type { CallOptions } from '../hikvision/types.js';
import { PreEventBuffer, SEGMENT_SECONDS } from './buffer.js';
import { clipArgs, ffmpegError, grayFramesArgs, runFfmpeg, snapshotArgs, type FfmpegRun, type StreamSource } from './ffmpeg.js';

export interface ClipOptions extends CallOptions {
  seconds: number;
  path: string;
  preEventSeconds?: number;
  onProgress?: (fraction: number, message?: string) => void;
}

export interface RecordedClip {
  path: string;
  start: Date;
  end: Date;
  durationMs: number;
  bytes: number;
}

export interface GrayFrameData {
  width: number;
  height: number;
  data: Buffer;
  at: number;
}

const FRAME_BACKOFF = { initialMs: 1000, maxMs: 30_000 };

export class RtspClient {
  readonly id: string;
  readonly source: StreamSource;
  readonly #config: RtspCameraConfig;
  readonly #logger: Logger;
  readonly #runs = new Set<FfmpegRun>();
  #buffer: PreEventBuffer | undefined;
  #http: CameraHttpClient | undefined;
  #closed = false;

  constructor(config: RtspCameraConfig, logger: Logger = noopLogger) {
    this.id = config.id;
    this.#config = config;
    this.#logger = logger;
    registerSecret(config.password);
    this.source = {
      url: config.url,
      transport: config.transport,
      timeoutMs: config.timeout,
      ...(config.username === undefined ? {} : { username: config.username }),
      ...(config.password === undefined ? {} : { password: config.password }),
    };
  }

  /** `camera 'gate' (rtsp://host:554/path)`: how messages name it, never with credentials. */
  get what(): string {
    return `camera '${this.id}' (${this.#config.url})`;
  }

  /** Starts the pre-event buffer when the config asks for one (idempotent). */
  async startBuffer(): Promise<void> {
    if (this.#config.pre_event <= 0 || this.#closed) return;
    this.#buffer ??= new PreEventBuffer({ source: this.source, ffmpeg: this.#config.ffmpeg, seconds: this.#config.pre_event / 1000, what: this.what, logger: this.#logger });
    await this.#buffer.start();
  }

  async snapshot(o: CallOptions = {}): Promise<Buffer> {
    this.#assertOpen();
    if (this.#config.snapshot_url !== undefined) return this.#httpSnapshot(this.#config.snapshot_url, o);
    const run = this.#track(runFfmpeg(this.#config.ffmpeg, snapshotArgs(this.source), `${this.what}: snapshot`, o.signal));
    const chunks: Buffer[] = [];
    run.child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => void run.stop(500), o.timeoutMs ?? this.#config.timeout);
    try {
      await run.done;
    } finally {
      clearTimeout(timer);
    }
    const jpeg = Buffer.concat(chunks);
    if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw ffmpegError(run.stderr() || 'no picture arrived in time', `${this.what}: snapshot`, null);
    return jpeg;
  }

  /** Codec and size of the stream (ffprobe). */
  async probe(o: CallOptions = {}): Promise<{ codec?: string; width?: number; height?: number }> {
    this.#assertOpen();
    const args = ['-v', 'error', '-rtsp_transport', this.source.transport, '-timeout', String(this.source.timeoutMs * 1000), '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', '-i'];
    const { stdout } = await this.#probe([...args, (await import('./ffmpeg.js')).sourceUrl(this.source)], o);
    const stream = (JSON.parse(stdout) as { streams?: { codec_name?: string; width?: number; height?: number }[] }).streams?.[0] ?? {};
    return { ...(stream.codec_name === undefined ? {} : { codec: stream.codec_name }), ...(stream.width === undefined ? {} : { width: stream.width }), ...(stream.height === undefined ? {} : { height: stream.height }) };
  }

  /**
   * A clip of `seconds` from now, by stream copy. With the pre-event buffer running and
   * `preEventSeconds` asked, it starts that much earlier (the buffer's segments, joined without
   * re-encoding). The file appears at `path` only when whole.
   */
  async recordClip(o: ClipOptions): Promise<RecordedClip> {
    this.#assertOpen();
    const part = `${o.path}.part`;
    await mkdir(dirname(o.path), { recursive: true });
    const pre = Math.min(o.preEventSeconds ?? 0, this.#config.pre_event / 1000);
    const triggeredAt = Date.now();
    try {
      let start: Date;
      if (pre > 0 && this.#buffer !== undefined) start = await this.#clipFromBuffer(triggeredAt / 1000, pre, o, part);
      else {
        const run = this.#track(runFfmpeg(this.#config.ffmpeg, clipArgs(this.source, o.seconds, part), `${this.what}: clip`, o.signal));
        const progress = setInterval(() => o.onProgress?.(Math.min(0.99, (Date.now() - triggeredAt) / (o.seconds * 1000)), 'recording'), 1000);
        try {
          await run.done;
        } finally {
          clearInterval(progress);
        }
        start = new Date(triggeredAt);
      }
      const durationMs = await this.#duration(part);
      if (durationMs <= 0) throw new ProtocolError(`${this.what}: clip came out empty`);
      await rename(part, o.path);
      const bytes = (await stat(o.path)).size;
      o.onProgress?.(1, 'saved');
      return { path: o.path, start, end: new Date(start.getTime() + durationMs), durationMs, bytes };
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }

  /** Low-resolution gray frames until the signal aborts; a dropped stream is reopened with back-off. */
  async *frames(o: { width: number; height: number; fps: number; signal: AbortSignal }): AsyncGenerator<GrayFrameData> {
    const size = o.width * o.height;
    let backoff = FRAME_BACKOFF.initialMs;
    while (!o.signal.aborted && !this.#closed) {
      const run = this.#track(runFfmpeg(this.#config.ffmpeg, grayFramesArgs(this.source, o.width, o.height, o.fps), `${this.what}: frames`, o.signal));
      let pending: Buffer = Buffer.alloc(0);
      const queue: Buffer[] = [];
      let wake: (() => void) | undefined;
      run.child.stdout.on('data', (chunk: Buffer) => {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
        while (pending.length >= size) {
          queue.push(Buffer.from(pending.subarray(0, size)));
          pending = pending.subarray(size);
        }
        // Never more than a second of frames waiting: a slow reader gets the newest.
        while (queue.length > o.fps) queue.shift();
        wake?.();
      });
      let ended = false;
      let failure: Error | undefined;
      run.done.then(
        () => (ended = true),
        (error: unknown) => {
          ended = true;
          failure = error as Error;
        },
      ).finally(() => wake?.());
      while (!ended || queue.length > 0) {
        const frame = queue.shift();
        if (o.signal.aborted) break;
        if (frame !== undefined) {
          backoff = FRAME_BACKOFF.initialMs;
          yield { width: o.width, height: o.height, data: frame, at: Date.now() };
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (o.signal.aborted || this.#closed) return;
      // Refused credentials will not fix themselves by retrying (and would lock the account).
      if (failure instanceof AuthError) throw failure;
      this.#logger.warn(`${this.what}: frames stopped (${failure?.message ?? 'the stream ended'}); again in ${Math.round(backoff / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(FRAME_BACKOFF.maxMs, backoff * 2);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#buffer?.stop();
    this.#buffer = undefined;
    await Promise.all([...this.#runs].map((run) => run.stop(1000)));
    await this.#http?.close();
  }

  async #clipFromBuffer(triggeredAt: number, pre: number, o: ClipOptions, part: string): Promise<Date> {
    const buffer = this.#buffer as PreEventBuffer;
    const until = triggeredAt + o.seconds;
    const release = buffer.hold(Math.floor(triggeredAt - pre));
    try {
      return await this.#joinSegments(buffer, triggeredAt, pre, until, o, part);
    } finally {
      release();
    }
  }

  async #joinSegments(buffer: PreEventBuffer, triggeredAt: number, pre: number, until: number, o: ClipOptions, part: string): Promise<Date> {
    // Wait for the segments that cover the clip's end to be whole.
    while (Date.now() / 1000 < until + SEGMENT_SECONDS + 0.5) {
      o.signal?.throwIfAborted();
      o.onProgress?.(Math.min(0.95, (Date.now() / 1000 - triggeredAt) / (o.seconds + SEGMENT_SECONDS)), 'recording');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const segments = await buffer.segments(Math.floor(triggeredAt - pre), until);
    if (segments.length === 0) throw new CamflowError(`${this.what}: the pre-event buffer has nothing (${buffer.lastError?.message ?? 'no stream yet'})`);
    const dir = await mkdtemp(join(tmpdir(), 'camflow-clip-'));
    try {
      const list = join(dir, 'list.txt');
      await writeFile(list, segments.map((s) => `file '${s.path.replace(/'/g, "'\\''")}'`).join('\n'));
      const run = this.#track(
        runFfmpeg(this.#config.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-movflags', '+faststart', '-f', 'mp4', '-y', part], `${this.what}: clip`, o.signal),
      );
      await run.done;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return new Date((segments[0]?.start ?? triggeredAt) * 1000);
  }

  async #duration(file: string): Promise<number> {
    const { stdout } = await this.#probe(['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', '-i', file], {});
    const seconds = Number(stdout.trim());
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0;
  }

  #probe(args: string[], o: CallOptions): Promise<{ stdout: string }> {
    const ffprobe = join(dirname(this.#config.ffmpeg), basename(this.#config.ffmpeg).replace(/ffmpeg/, 'ffprobe'));
    return new Promise((resolve, reject) => {
      execFile(
        this.#config.ffmpeg.includes('/') ? ffprobe : 'ffprobe',
        args,
        { timeout: o.timeoutMs ?? this.#config.timeout + 5000, ...(o.signal === undefined ? {} : { signal: o.signal }), maxBuffer: 1024 * 1024 },
        (error, stdout, stderr) => (error === null ? resolve({ stdout }) : reject(ffmpegError(stderr || error.message, `${this.what}: probe`, null))),
      );
    });
  }

  async #httpSnapshot(url: string, o: CallOptions): Promise<Buffer> {
    const parsed = new URL(url);
    this.#http ??= new CameraHttpClient({
      origin: parsed.origin,
      username: this.#config.username ?? '',
      password: this.#config.password ?? '',
      timeoutMs: this.#config.timeout,
      logger: this.#logger,
      name: `camera '${this.id}'`,
      maxBodyBytes: 16 * 1024 * 1024,
    });
    const answer = await this.#http.request({ method: 'GET', path: `${parsed.pathname}${parsed.search}`, ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) });
    if (answer.status === 401) throw new AuthError(`${this.what}: the snapshot URL refused the username or password`);
    if (answer.status !== 200 || answer.body[0] !== 0xff || answer.body[1] !== 0xd8) throw new ProtocolError(`${this.what}: the snapshot URL answered ${answer.status} without a JPEG`);
    return answer.body;
  }

  #track(run: FfmpegRun): FfmpegRun {
    this.#runs.add(run);
    void run.done.finally(() => this.#runs.delete(run)).catch(() => undefined);
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw new CamflowError(`${this.what} is closed`);
  }
}
