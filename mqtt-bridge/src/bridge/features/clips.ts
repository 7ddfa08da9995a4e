/**
 * The "Last clip" sensor: when a clip or download of this camera is whole on disk (the pipeline's job
 * completed, which it does only after the file is renamed into place), its name, path, times and size
 * go out. Never before: a notification that fetches the clip must find it.
 */
import { basename } from 'node:path';
import type { Job, JobEngine } from '@camflow/core';
import type { CameraContext, Feature } from '../feature.js';

/** Job types whose result is a media file of one camera. */
export const CLIP_JOB_TYPES: ReadonlySet<string> = new Set(['record', 'download', 'ring-download']);

export class ClipsFeature implements Feature {
  readonly #c: CameraContext;
  readonly #engine: JobEngine;
  #off: (() => void) | undefined;

  constructor(context: CameraContext, engine: JobEngine) {
    this.#c = context;
    this.#engine = engine;
  }

  start(): void {
    this.#off = this.#engine.on('completed', (job) => void this.#completed(job));
  }

  async stop(): Promise<void> {
    this.#off?.();
    this.#off = undefined;
  }

  async #completed(job: Job): Promise<void> {
    if (!CLIP_JOB_TYPES.has(job.type)) return;
    const result = (job.result ?? {}) as Record<string, unknown>;
    const camera = job.camera ?? result['camera'];
    if (camera !== this.#c.camera.id || typeof result['path'] !== 'string' || result['skipped'] === true) return;
    const path = result['path'];
    await this.#c.publisher.state(
      this.#c.topics.lastClip,
      JSON.stringify({
        file: basename(path),
        path,
        ...(typeof result['start'] === 'string' ? { start: result['start'] } : {}),
        ...(typeof result['end'] === 'string' ? { end: result['end'] } : {}),
        ...(typeof result['duration_ms'] === 'number' ? { duration_s: Math.round(result['duration_ms'] / 100) / 10 } : {}),
        ...(typeof result['bytes'] === 'number' ? { bytes: result['bytes'] } : {}),
        job: job.type,
      }),
    );
  }
}
