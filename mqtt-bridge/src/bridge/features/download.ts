/**
 * "Download recordings": the camera's recordings of the last N hours (or a from/to range sent as
 * JSON) become `download` jobs on the pipeline, each skipped when already on disk. Their progress is
 * on the bridge's jobs state; each finished file updates the camera's Last clip sensor.
 */
import { ensureError, type JobEngine, queueRecordingDownloads } from '@camflow/core';
import type { CameraContext, Feature } from '../feature.js';
import type { BridgeCommand } from '../topics.js';

export class DownloadFeature implements Feature {
  readonly #c: CameraContext;
  readonly #engine: JobEngine;
  readonly #defaultHours: number;

  constructor(context: CameraContext, engine: JobEngine, defaultHours: number) {
    this.#c = context;
    this.#engine = engine;
    this.#defaultHours = defaultHours;
  }

  start(): void {}

  async stop(): Promise<void> {}

  async handle(command: BridgeCommand): Promise<void> {
    if (command.kind !== 'download') return;
    const c = this.#c;
    const to = command.to ?? new Date();
    const from = command.from ?? new Date(to.getTime() - (command.hours ?? this.#defaultHours) * 3600_000);
    try {
      const queued = await queueRecordingDownloads({ engine: this.#engine, services: { camera: () => c.source } }, c.camera.id, { from, to, signal: c.signal });
      c.reportSuccess();
      c.logger.info(`Camera '${c.camera.id}': ${queued.added} recording(s) from ${from.toISOString()} to ${to.toISOString()} queued for download`);
    } catch (error) {
      c.reportFailure(error, 'recording search');
      throw new Error(`recording search failed: ${ensureError(error).message}`, { cause: error });
    }
  }
}
