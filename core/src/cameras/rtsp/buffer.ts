/**
 * The pre-event buffer: while an RTSP camera is open with `pre_event`, one ffmpeg copies its stream
 * into 1-second MPEG-TS segments in a temporary folder (named by their start, epoch seconds) and the
 * oldest are removed, so a clip triggered now can start N seconds ago, as NVR software does. The
 * recorder reconnects with a bounded back-off when the stream drops.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../../log.js';
import { type FfmpegRun, runFfmpeg, segmentArgs, type StreamSource } from './ffmpeg.js';

export const SEGMENT_SECONDS = 1;
const BACKOFF = { initialMs: 1000, maxMs: 30_000 };

export interface BufferedSegment {
  path: string;
  /** Start, epoch seconds (from its name). */
  start: number;
}

export class PreEventBuffer {
  readonly #source: StreamSource;
  readonly #ffmpeg: string;
  readonly #keepSeconds: number;
  readonly #what: string;
  readonly #logger: Logger;
  #dir: string | undefined;
  #run: FfmpegRun | undefined;
  #pruneTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #backoffMs = BACKOFF.initialMs;
  #stopped = false;
  /** Clips being put together: nothing they reach back to is pruned meanwhile. */
  readonly #holds = new Set<{ from: number }>();
  /** Why the recorder last failed, for a clip that finds no segments. */
  lastError: Error | undefined;

  constructor(options: { source: StreamSource; ffmpeg: string; seconds: number; what: string; logger: Logger }) {
    this.#source = options.source;
    this.#ffmpeg = options.ffmpeg;
    // What a clip may reach back to, a segment being written, and one spare.
    this.#keepSeconds = options.seconds + 3 * SEGMENT_SECONDS;
    this.#what = options.what;
    this.#logger = options.logger;
  }

  get dir(): string | undefined {
    return this.#dir;
  }

  async start(): Promise<void> {
    if (this.#dir !== undefined) return;
    this.#dir = await mkdtemp(join(tmpdir(), 'camflow-pre-event-'));
    this.#stopped = false;
    this.#record();
    this.#pruneTimer = setInterval(() => void this.#prune(), 1000);
    this.#pruneTimer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#pruneTimer);
    clearTimeout(this.#retryTimer);
    await this.#run?.stop(2000);
    this.#run = undefined;
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  /** Whole segments (not the one being written) that start at or after `fromSeconds`, oldest first. */
  async segments(fromSeconds: number, toSeconds = Number.POSITIVE_INFINITY): Promise<BufferedSegment[]> {
    const dir = this.#dir;
    if (dir === undefined) return [];
    const all = (await readdir(dir).catch(() => [] as string[]))
      .map((name) => ({ name, start: Number(name.replace(/\.ts$/, '')) }))
      .filter((s) => Number.isFinite(s.start))
      .sort((a, b) => a.start - b.start);
    const whole = all.slice(0, -1);
    return whole.filter((s) => s.start >= fromSeconds && s.start <= toSeconds).map((s) => ({ path: join(dir, s.name), start: s.start }));
  }

  /** Keeps every segment from `fromSeconds` on until the returned release is called. */
  hold(fromSeconds: number): () => void {
    const hold = { from: fromSeconds };
    this.#holds.add(hold);
    return () => this.#holds.delete(hold);
  }

  #record(): void {
    const dir = this.#dir;
    if (dir === undefined || this.#stopped) return;
    const run = runFfmpeg(this.#ffmpeg, segmentArgs(this.#source, dir, SEGMENT_SECONDS), `${this.#what}: pre-event buffer`);
    this.#run = run;
    const startedAt = Date.now();
    run.done.then(
      () => this.#again(undefined, startedAt),
      (error: unknown) => this.#again(error as Error, startedAt),
    );
  }

  #again(error: Error | undefined, startedAt: number): void {
    if (this.#stopped) return;
    this.lastError = error ?? new Error('the stream ended');
    // A recorder that ran a while was fine: start over from the shortest delay.
    if (Date.now() - startedAt > 60_000) this.#backoffMs = BACKOFF.initialMs;
    this.#logger.warn(`${this.#what}: pre-event buffer stopped (${this.lastError.message}); again in ${Math.round(this.#backoffMs / 1000)} s`);
    this.#retryTimer = setTimeout(() => this.#record(), this.#backoffMs);
    this.#retryTimer.unref();
    this.#backoffMs = Math.min(BACKOFF.maxMs, this.#backoffMs * 2);
  }

  async #prune(): Promise<void> {
    const dir = this.#dir;
    if (dir === undefined) return;
    const oldest = Math.min(Date.now() / 1000 - this.#keepSeconds, ...[...this.#holds].map((h) => h.from - SEGMENT_SECONDS));
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const start = Number(name.replace(/\.ts$/, ''));
      if (Number.isFinite(start) && start < oldest) await rm(join(dir, name), { force: true });
    }
  }
}
