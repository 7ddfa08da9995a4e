import { ConfigError, type RecordingMatch } from '@camflow/core';
import path from 'node:path';

/** Parses `msg.from` / `msg.to`: a Date, an ISO string or epoch milliseconds. */
export function parseTime(value: unknown, name: string): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const date = value instanceof Date ? value : new Date(typeof value === 'number' ? value : String(value));
  if (Number.isNaN(date.getTime())) {
    throw new ConfigError(`msg.${name} must be a date, an ISO time or epoch milliseconds, got ${String(value)}`);
  }
  return date;
}

/** The search window: `msg.from`/`msg.to` when given, else the last `hours` hours up to now. */
export function timeRange(from: unknown, to: unknown, hours: number, now = new Date()): { from: Date; to: Date } {
  const end = parseTime(to, 'to') ?? now;
  const start = parseTime(from, 'from') ?? new Date(end.getTime() - hours * 3600_000);
  if (start.getTime() >= end.getTime()) {
    throw new ConfigError(`msg.from (${start.toISOString()}) must be before msg.to (${end.toISOString()})`);
  }
  return { from: start, to: end };
}

function stamp(date: Date): string {
  // File-system safe on every OS: no colons.
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[:]/g, '-');
}

/** Characters that are unsafe in file names on some OS replaced, so a camera name cannot escape the folder. */
export function safeName(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '');
  return cleaned === '' ? 'camera' : cleaned;
}

/** Where a recording lands: `<folder>/<camera>_<track>_<start>_<end>.mp4`, stable so a re-run skips it. */
export function recordingPath(folder: string, camera: string, match: RecordingMatch): string {
  const file = `${safeName(camera)}_${match.trackId}_${stamp(match.startTime)}_${stamp(match.endTime)}.mp4`;
  return path.join(folder, file);
}

/**
 * Progress over a whole batch: files finished of the total, and a percentage by bytes when every size
 * is known (by files plus the current file's fraction otherwise).
 */
export class BatchProgress {
  readonly total: number;
  readonly #sizes: (number | undefined)[];
  readonly #totalBytes: number | undefined;
  #finished = 0;
  #finishedBytes = 0;
  #currentBytes = 0;
  #currentTotal: number | undefined;

  constructor(matches: readonly RecordingMatch[]) {
    this.total = matches.length;
    this.#sizes = matches.map((m) => m.size);
    const known = this.#sizes.every((s) => s !== undefined && s > 0);
    this.#totalBytes = known ? this.#sizes.reduce<number>((sum, s) => sum + (s ?? 0), 0) : undefined;
  }

  get finished(): number {
    return this.#finished;
  }

  current(bytes: number, total: number | undefined): void {
    this.#currentBytes = bytes;
    this.#currentTotal = total;
  }

  finish(index: number, bytes: number): void {
    this.#finished += 1;
    this.#finishedBytes += this.#sizes[index] ?? bytes;
    this.#currentBytes = 0;
    this.#currentTotal = undefined;
  }

  percent(): number {
    if (this.total === 0) return 100;
    if (this.#totalBytes !== undefined) {
      return Math.min(100, Math.floor(((this.#finishedBytes + this.#currentBytes) * 100) / this.#totalBytes));
    }
    const fraction = this.#currentTotal ? Math.min(1, this.#currentBytes / this.#currentTotal) : 0;
    return Math.floor(((this.#finished + fraction) * 100) / this.total);
  }
}
