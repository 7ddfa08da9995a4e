/**
 * The record button: a manual recording of N seconds on the camera (its own storage), shown by the
 * Recording binary_sensor. Pressing again while recording extends the clip instead of restarting it.
 */
import type { JobEngine } from '@camflow/core';
import type { CameraContext, Feature } from '../feature.js';
import type { BridgeCommand } from '../topics.js';

export class RecordFeature implements Feature {
  readonly #context: CameraContext;
  readonly #defaultSeconds: number;
  #stopTimer: NodeJS.Timeout | undefined;
  #recording = false;

  readonly #engine: JobEngine | undefined;

  /** With `engine`, a camera that records to a file (RTSP) records through a `record` job. */
  constructor(context: CameraContext, defaultSeconds: number, engine?: JobEngine) {
    this.#context = context;
    this.#defaultSeconds = defaultSeconds;
    this.#engine = engine;
  }

  start(): void {
    void this.#context.publisher.state(this.#context.topics.recording, 'OFF');
  }

  async stop(): Promise<void> {
    clearTimeout(this.#stopTimer);
    this.#stopTimer = undefined;
    // Best effort: the camera would otherwise record until its own limit.
    if (this.#recording) await this.#finish(AbortSignal.timeout(2000));
  }

  async handle(command: BridgeCommand): Promise<void> {
    if (command.kind !== 'record') return;
    const c = this.#context;
    const source = c.source;
    if (source.startRecording === undefined && source.recordClip !== undefined && this.#engine !== undefined) {
      await this.#recordJob(command.seconds ?? this.#defaultSeconds);
      return;
    }
    if (source.startRecording === undefined) throw new Error('this camera cannot record on demand');
    if (!this.#recording) {
      try {
        await source.startRecording(c.callOptions());
      } catch (error) {
        c.reportFailure(error, 'start recording');
        throw error;
      }
      c.reportSuccess();
      this.#recording = true;
      await c.publisher.state(c.topics.recording, 'ON');
    }
    clearTimeout(this.#stopTimer);
    const seconds = command.seconds ?? this.#defaultSeconds;
    this.#stopTimer = setTimeout(() => void this.#finish(c.signal), seconds * 1000);
  }

  /** A clip into the media folder: Recording is on until the file is whole (the Last clip sensor then names it). */
  async #recordJob(seconds: number): Promise<void> {
    const c = this.#context;
    const engine = this.#engine as JobEngine;
    const job = await engine.add('record', { camera: c.camera.id, seconds });
    await c.publisher.state(c.topics.recording, 'ON');
    try {
      for (;;) {
        const now = await engine.get(job.id);
        if (now === undefined || now.state === 'completed' || now.state === 'cancelled') break;
        if (now.state === 'failed') throw new Error(`recording failed: ${now.error ?? 'no reason given'}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (c.signal.aborted) return;
      }
    } finally {
      await c.publisher.state(c.topics.recording, 'OFF');
    }
  }

  async #finish(signal: AbortSignal): Promise<void> {
    const c = this.#context;
    this.#stopTimer = undefined;
    this.#recording = false;
    try {
      await c.source.stopRecording?.({ ...c.callOptions(), signal });
    } catch (error) {
      c.reportFailure(error, 'stop recording');
    }
    await c.publisher.state(c.topics.recording, 'OFF');
  }
}
