/**
 * The figures the pipeline reports (what the dashboards of the systems camflow replaces showed): per
 * type how many jobs wait, run, ended; run time of the completed ones; and this process's event-loop
 * delay, the measure of whether anything blocks it.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;
import type { TypeFigures } from './types.js';

export function emptyFigures(): TypeFigures {
  return { waiting: 0, delayed: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
}

/** Mean and 95th percentile of durations in ms (none when there are none). */
export function durationFigures(durations: readonly number[]): { avgMs?: number; p95Ms?: number } {
  if (durations.length === 0) return {};
  const sorted = [...durations].sort((a, b) => a - b);
  const avg = sorted.reduce((sum, d) => sum + d, 0) / sorted.length;
  const p95 = sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)] ?? 0;
  return { avgMs: Math.round(avg), p95Ms: Math.round(p95) };
}

/** Event-loop delay over a rolling window: the histogram restarts every `windowMs`. */
export class LoopDelay {
  readonly #histogram: IntervalHistogram;
  readonly #timer: NodeJS.Timeout;
  #last = { p99: 0, max: 0 };

  constructor(windowMs = 60_000) {
    this.#histogram = monitorEventLoopDelay({ resolution: 10 });
    this.#histogram.enable();
    this.#timer = setInterval(() => {
      this.#last = this.#read();
      this.#histogram.reset();
    }, windowMs);
    this.#timer.unref();
  }

  /** p99 and max in ms of the current window (or the last one, early in a window). */
  get(): { p99: number; max: number } {
    const now = this.#read();
    return now.max === 0 ? this.#last : now;
  }

  #read(): { p99: number; max: number } {
    if (this.#histogram.count === 0) return { p99: 0, max: 0 };
    return { p99: round(this.#histogram.percentile(99) / 1e6), max: round(this.#histogram.max / 1e6) };
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#histogram.disable();
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
