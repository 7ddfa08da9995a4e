/**
 * What the status page shows, kept current in process: one tile per camera (read from what the bridge
 * publishes, so the page and Home Assistant can never disagree), a timeline of events and finished
 * media/detection jobs, the job queue, and pipeline figures sampled over the last hour. Every change is
 * one small patch to the live channel; a page that connects gets the whole state first.
 */
import { type CameraConfig, type Job, type JobEngine, type Logger, noopLogger, redactText, TypedEmitter } from '@camflow/core';
import type { BridgeTopics } from '../bridge/topics.js';

export interface CameraTile {
  id: string;
  name: string;
  kind: string;
  online: boolean | undefined;
  lastError?: string;
  lastErrorAt?: string;
  overlayMs?: number;
  connection?: string;
  motion: boolean;
  recording: boolean;
  /** Changes with each new snapshot, so the page reloads the picture only then. */
  snapshotAt?: string;
}

export interface TimelineEntry {
  /** Increasing, so the page can tell new entries from ones it has. */
  seq: number;
  at: string;
  camera?: string;
  kind: 'event' | 'detection' | 'clip' | 'snapshot' | 'error';
  title: string;
  /** Media-relative path of the picture or clip, served under /media/. */
  media?: string;
  /** Media-relative path of a picture to show (the annotated snapshot of a detection). */
  picture?: string;
}

export interface JobRow {
  id: string;
  type: string;
  camera?: string;
  state: Job['state'];
  fraction: number;
  message?: string;
  attempts: number;
  maxAttempts: number;
  error?: string;
  createdAt: string;
  finishedAt?: string;
}

export interface FigureSample {
  at: number;
  /** Jobs finished per type since the previous sample. */
  done: Record<string, number>;
  failed: number;
  loopP99Ms: number;
  /** Detection runs finished per second over the sample period. */
  detectPerSecond: number;
  active: number;
  waiting: number;
}

export interface StatusSnapshot {
  cameras: CameraTile[];
  timeline: TimelineEntry[];
  jobs: JobRow[];
  figures: FigureSample[];
  pipeline: 'sqlite' | 'redis' | 'off';
}

export type StatusPatch =
  | { type: 'camera'; camera: CameraTile }
  | { type: 'timeline'; entry: TimelineEntry }
  | { type: 'job'; job: JobRow }
  | { type: 'figures'; sample: FigureSample };

interface StatusEvents {
  patch: StatusPatch;
}

const TIMELINE_MAX = 200;
const JOBS_MAX = 200;
/** One hour of samples. */
export const FIGURE_PERIOD_MS = 10_000;
const FIGURES_MAX = 360;
/** Job types whose result is a media file worth a line in the timeline. */
const MEDIA_TYPES = new Set(['record', 'download', 'ring-download', 'snapshot']);

export interface StatusModelOptions {
  cameras: readonly CameraConfig[];
  topics: BridgeTopics;
  /** Media folder: job results' paths are shown relative to it (and only those are linked). */
  mediaDir?: string;
  logger?: Logger;
}

type CameraField = 'availability' | 'snapshot' | 'motion' | 'event' | 'recording' | 'overlayMs' | 'lastError' | 'connection';

export class StatusModel extends TypedEmitter<StatusEvents> {
  readonly #tiles = new Map<string, CameraTile>();
  readonly #snapshots = new Map<string, Buffer>();
  readonly #topicFields = new Map<string, { camera: string; field: CameraField }>();
  readonly #timeline: TimelineEntry[] = [];
  readonly #jobs = new Map<string, JobRow>();
  readonly #figures: FigureSample[] = [];
  readonly #mediaDir: string | undefined;
  readonly #logger: Logger;
  #seq = 0;
  #pipeline: StatusSnapshot['pipeline'] = 'off';
  #doneSince: Record<string, number> = {};
  #failedSince = 0;

  constructor(options: StatusModelOptions) {
    super({ onListenerError: (error) => this.#logger.debug(`status listener: ${(error as Error).message}`) });
    this.#logger = options.logger ?? noopLogger;
    this.#mediaDir = options.mediaDir;
    for (const camera of options.cameras) {
      this.#tiles.set(camera.id, { id: camera.id, name: camera.name ?? camera.id, kind: camera.type, online: undefined, motion: false, recording: false });
      const t = options.topics.camera(camera.id);
      const fields: [string, CameraField][] = [
        [t.availability, 'availability'],
        [t.camera, 'snapshot'],
        [t.motion, 'motion'],
        [t.event, 'event'],
        [t.recording, 'recording'],
        [t.overlayMs, 'overlayMs'],
        [t.lastError, 'lastError'],
        [t.connection, 'connection'],
      ];
      for (const [topic, field] of fields) this.#topicFields.set(topic, { camera: camera.id, field });
    }
  }

  /** The whole state, as a page that connects first receives it. */
  snapshot(): StatusSnapshot {
    return {
      cameras: [...this.#tiles.values()],
      timeline: [...this.#timeline],
      jobs: [...this.#jobs.values()],
      figures: [...this.#figures],
      pipeline: this.#pipeline,
    };
  }

  /** The newest JPEG of a camera (from what the bridge published), or undefined. */
  latestSnapshot(camera: string): Buffer | undefined {
    return this.#snapshots.get(camera);
  }

  /** Feeds one message the bridge publishes (Publisher.tap). */
  observe(topic: string, payload: string | Buffer): void {
    const target = this.#topicFields.get(topic);
    if (target === undefined) return;
    const tile = this.#tiles.get(target.camera);
    if (tile === undefined) return;
    const text = (): string => (typeof payload === 'string' ? payload : payload.toString('utf8'));
    switch (target.field) {
      case 'availability':
        tile.online = text() === 'online';
        break;
      case 'snapshot':
        if (typeof payload === 'string') return;
        this.#snapshots.set(tile.id, payload);
        tile.snapshotAt = new Date().toISOString();
        break;
      case 'motion':
        tile.motion = text() === 'ON';
        break;
      case 'recording':
        tile.recording = text() === 'ON';
        break;
      case 'overlayMs': {
        const ms = Number(text());
        if (Number.isFinite(ms)) tile.overlayMs = ms;
        break;
      }
      case 'lastError':
        tile.lastError = redactText(text());
        tile.lastErrorAt = new Date().toISOString();
        this.#addTimeline({ camera: tile.id, kind: 'error', title: tile.lastError });
        break;
      case 'connection':
        tile.connection = text();
        break;
      case 'event':
        this.#onCameraEvent(tile, text());
        return;
    }
    this.emit('patch', { type: 'camera', camera: { ...tile } });
  }

  /** Follows a pipeline's jobs: live progress, finished media and detections into the timeline. */
  followPipeline(engine: JobEngine, signal: AbortSignal): void {
    this.#pipeline = engine.kind;
    const offs = [
      engine.on('added', (job) => this.#onJob(job)),
      engine.on('progress', (job) => this.#onJob(job)),
      engine.on('completed', (job) => this.#onJob(job)),
      engine.on('failed', (job) => this.#onJob(job)),
      engine.on('cancelled', (job) => this.#onJob(job)),
      engine.on('retrying', (job) => this.#onJob(job)),
    ];
    signal.addEventListener('abort', () => offs.forEach((off) => off()), { once: true });
  }

  /** Jobs added or changed by other processes (the CLI, other workers) are read from the engine. */
  async refreshJobs(engine: JobEngine): Promise<void> {
    const jobs = await engine.list({ limit: JOBS_MAX });
    for (const job of jobs.reverse()) {
      const row = jobRow(job);
      const known = this.#jobs.get(job.id);
      if (known !== undefined && known.state === row.state && known.fraction === row.fraction) continue;
      this.#setJob(row);
    }
  }

  /** Takes one figures sample (every FIGURE_PERIOD_MS) from the engine's queue counts and the loop delay. */
  sampleFigures(counts: { active: number; waiting: number }, loopP99Ms: number, periodMs = FIGURE_PERIOD_MS): FigureSample {
    const sample: FigureSample = {
      at: Date.now(),
      done: this.#doneSince,
      failed: this.#failedSince,
      loopP99Ms: Math.round(loopP99Ms * 10) / 10,
      detectPerSecond: Math.round(((this.#doneSince['detect'] ?? 0) / (periodMs / 1000)) * 100) / 100,
      active: counts.active,
      waiting: counts.waiting,
    };
    this.#doneSince = {};
    this.#failedSince = 0;
    this.#figures.push(sample);
    if (this.#figures.length > FIGURES_MAX) this.#figures.shift();
    this.emit('patch', { type: 'figures', sample });
    return sample;
  }

  #onCameraEvent(tile: CameraTile, json: string): void {
    let event: { event_type?: unknown; camera_event?: unknown; description?: unknown };
    try {
      event = JSON.parse(json) as typeof event;
    } catch {
      return;
    }
    const type = typeof event.camera_event === 'string' ? event.camera_event : String(event.event_type ?? 'event');
    const description = typeof event.description === 'string' ? `: ${event.description}` : '';
    this.#addTimeline({ camera: tile.id, kind: 'event', title: `${type}${description}` });
  }

  #onJob(job: Job): void {
    const row = jobRow(job);
    const before = this.#jobs.get(job.id);
    this.#setJob(row);
    if (before?.state === row.state) return;
    if (row.state === 'failed') this.#failedSince++;
    if (row.state !== 'completed') return;
    this.#doneSince[job.type] = (this.#doneSince[job.type] ?? 0) + 1;
    this.#timelineForResult(job);
  }

  #setJob(row: JobRow): void {
    this.#jobs.delete(row.id);
    this.#jobs.set(row.id, row);
    if (this.#jobs.size > JOBS_MAX) {
      // Forget the oldest finished job first; running ones stay visible.
      for (const [id, old] of this.#jobs) {
        if (old.state === 'completed' || old.state === 'failed' || old.state === 'cancelled') {
          this.#jobs.delete(id);
          break;
        }
      }
    }
    this.emit('patch', { type: 'job', job: row });
  }

  /** A finished clip, download, snapshot or detection: a timeline line, linked when the file is in the media folder. */
  #timelineForResult(job: Job): void {
    const result = (job.result ?? {}) as Record<string, unknown>;
    const path = typeof result['path'] === 'string' ? this.#mediaRelative(result['path']) : undefined;
    const camera = job.camera ?? (typeof result['camera'] === 'string' ? result['camera'] : undefined);
    if (job.type === 'detect') {
      const detections = Array.isArray(result['detections']) ? (result['detections'] as Record<string, unknown>[]) : [];
      const labels = detections.map((d) => `${String(d['label'] ?? '?')}${typeof d['score'] === 'number' ? ` ${Math.round(d['score'] * 100)}%` : ''}`);
      const snapshot = detections.map((d) => d['snapshot'] ?? d['snapshot_path']).find((p): p is string => typeof p === 'string');
      const picture = snapshot === undefined ? path : this.#mediaRelative(snapshot);
      this.#addTimeline({
        ...(camera === undefined ? {} : { camera }),
        kind: 'detection',
        title: labels.length === 0 ? 'nothing detected' : labels.join(', '),
        ...(picture === undefined ? {} : { picture }),
      });
      return;
    }
    if (!MEDIA_TYPES.has(job.type) || result['skipped'] === true) return;
    const seconds = typeof result['duration_ms'] === 'number' ? ` ${Math.round(result['duration_ms'] / 1000)} s` : '';
    const kind = job.type === 'snapshot' ? 'snapshot' : 'clip';
    this.#addTimeline({
      ...(camera === undefined ? {} : { camera }),
      kind,
      title: `${job.type}${seconds}`,
      ...(path === undefined ? {} : kind === 'snapshot' ? { picture: path, media: path } : { media: path }),
    });
  }

  #mediaRelative(path: string): string | undefined {
    if (this.#mediaDir === undefined) return undefined;
    const root = this.#mediaDir.endsWith('/') ? this.#mediaDir : `${this.#mediaDir}/`;
    return path.startsWith(root) ? path.slice(root.length) : undefined;
  }

  #addTimeline(entry: Omit<TimelineEntry, 'seq' | 'at'>): void {
    const full: TimelineEntry = { seq: ++this.#seq, at: new Date().toISOString(), ...entry };
    this.#timeline.push(full);
    if (this.#timeline.length > TIMELINE_MAX) this.#timeline.shift();
    this.emit('patch', { type: 'timeline', entry: full });
  }
}

function jobRow(job: Job): JobRow {
  return {
    id: job.id,
    type: job.type,
    ...(job.camera === undefined ? {} : { camera: job.camera }),
    state: job.state,
    fraction: job.state === 'completed' ? 1 : job.progress.fraction,
    ...(job.progress.message === undefined ? {} : { message: job.progress.message }),
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    ...(job.error === undefined ? {} : { error: redactText(job.error) }),
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt.toISOString() }),
  };
}
