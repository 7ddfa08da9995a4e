/**
 * The pipeline on the bridge device: one retained JSON state with the queued, running (with their
 * progress) and failed jobs, detection frames per second and the event-loop delay. Progress arrives
 * many times a second; it goes out at most once a second, so a download never floods the broker.
 */
import { ensureError, type Job, type JobEngine, type Logger, LoopDelay } from '@camflow/core';
import type { Publisher } from './publisher.js';

const PUBLISH_MIN_MS = 1_000;
const COUNTS_EVERY_MS = 10_000;
/** Detection fps is counted over this window. */
const FPS_WINDOW_MS = 10_000;
const RUNNING_SHOWN = 20;

export interface RunningJob {
  id: string;
  type: string;
  camera?: string;
  /** 0..100 */
  progress: number;
  message?: string;
}

export interface PipelineStatePayload {
  queued: number;
  running_count: number;
  failed: number;
  detect_fps: number;
  loop_delay_ms: number;
  running: RunningJob[];
}

export class PipelineState {
  readonly #engine: JobEngine;
  readonly #publisher: Publisher;
  readonly #topic: string;
  readonly #logger: Logger;
  readonly #running = new Map<string, RunningJob>();
  /** (time, frames) of finished detection runs within the fps window. */
  #detections: { at: number; frames: number }[] = [];
  #counts = { queued: 0, failed: 0 };
  #loop: LoopDelay | undefined;
  #offs: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #pending: NodeJS.Timeout | undefined;
  #lastPublish = 0;

  constructor(engine: JobEngine, publisher: Publisher, topic: string, logger: Logger) {
    this.#engine = engine;
    this.#publisher = publisher;
    this.#topic = topic;
    this.#logger = logger;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#loop = new LoopDelay(COUNTS_EVERY_MS);
    const e = this.#engine;
    this.#offs = [
      e.on('progress', (job) => this.#active(job)),
      e.on('completed', (job) => this.#finished(job)),
      e.on('failed', (job) => this.#finished(job)),
      e.on('cancelled', (job) => this.#finished(job)),
      e.on('added', () => this.#refreshSoon()),
      e.on('retrying', (job) => this.#finished(job)),
    ];
    this.#refreshSoon();
    this.#timer = setInterval(() => this.#refreshSoon(), COUNTS_EVERY_MS);
    this.#timer.unref();
  }

  stop(): void {
    for (const off of this.#offs.splice(0)) off();
    clearInterval(this.#timer);
    clearTimeout(this.#pending);
    this.#pending = undefined;
    this.#loop?.stop();
    this.#loop = undefined;
  }

  /** The payload as it would go out now. */
  payload(): PipelineStatePayload {
    const now = Date.now();
    this.#detections = this.#detections.filter((d) => now - d.at <= FPS_WINDOW_MS);
    const frames = this.#detections.reduce((sum, d) => sum + d.frames, 0);
    return {
      queued: this.#counts.queued,
      running_count: this.#running.size,
      failed: this.#counts.failed,
      detect_fps: Math.round((frames / (FPS_WINDOW_MS / 1000)) * 10) / 10,
      loop_delay_ms: this.#loop?.get().p99 ?? 0,
      running: [...this.#running.values()].slice(0, RUNNING_SHOWN),
    };
  }

  #active(job: Job): void {
    this.#running.set(job.id, {
      id: job.id,
      type: job.type,
      ...(job.camera === undefined ? {} : { camera: job.camera }),
      progress: Math.round(job.progress.fraction * 100),
      ...(job.progress.message === undefined ? {} : { message: job.progress.message }),
    });
    this.#publishSoon();
  }

  #finished(job: Job): void {
    this.#running.delete(job.id);
    if (job.type === 'detect' && job.state === 'completed') {
      const frames = (job.result as { frames?: unknown } | undefined)?.frames;
      this.#detections.push({ at: Date.now(), frames: typeof frames === 'number' && frames > 0 ? frames : 1 });
    }
    this.#refreshSoon();
  }

  #refreshing: Promise<void> | undefined;
  #again = false;

  /** Counts come from the engine (they include other processes' jobs): one read at a time, one more after a burst. */
  #refreshSoon(): void {
    if (this.#refreshing !== undefined) {
      this.#again = true;
      return;
    }
    this.#refreshing = this.#refreshCounts().finally(() => {
      this.#refreshing = undefined;
      if (this.#again) {
        this.#again = false;
        this.#refreshSoon();
      }
    });
  }

  async #refreshCounts(): Promise<void> {
    try {
      const figures = await this.#engine.figures();
      let queued = 0;
      let failed = 0;
      for (const type of Object.values(figures.types)) {
        queued += type.waiting + type.delayed;
        failed += type.failed;
      }
      this.#counts = { queued, failed };
    } catch (error) {
      this.#logger.debug(`pipeline state: ${ensureError(error).message}`);
    }
    this.#publishSoon();
  }

  #publishSoon(): void {
    if (this.#pending !== undefined || this.#loop === undefined) return;
    const wait = Math.max(0, this.#lastPublish + PUBLISH_MIN_MS - Date.now());
    this.#pending = setTimeout(() => {
      this.#pending = undefined;
      this.#lastPublish = Date.now();
      void this.#publisher.state(this.#topic, JSON.stringify(this.payload()));
    }, wait);
  }
}
