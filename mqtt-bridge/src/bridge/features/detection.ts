/**
 * Detection on a camera: a motion event from the camera starts one `detect` job on the pipeline (one
 * at a time per camera: motion during a run is part of it); what the job found is published as the
 * Detection event (one per label), the per-label binary_sensors (on, then off after the hold time
 * with no new detection), the annotated picture of the best detection, and the last face. The
 * decisions (labels, zones, scores, faces) are core's; this only maps them to MQTT.
 */
import { readFile } from 'node:fs/promises';
import { type CamflowConfig, ensureError, isAbortError, type Job, type JobEngine, labelGroup } from '@camflow/core';
import { MOTION_EVENT_TYPES } from '../discovery.js';
import type { CameraContext, Feature } from '../feature.js';

/** What a `detect` job returns per detection (core/src/detect's result), as far as the bridge reads it. */
export interface PublishedDetection {
  label: string;
  score: number;
  box?: readonly number[];
  zone?: string;
  face?: { name: string; known: boolean; similarity: number };
  snapshot?: string;
  description?: string;
  eventId?: string;
  at?: string;
}

export interface DetectionFeatureOptions {
  engine: JobEngine;
  /** What this camera reports: label groups (person, vehicle, animal, or a label of its own), each with its binary_sensor. */
  labels: readonly string[];
  /** A label's binary_sensor stays on this long after its last detection. */
  holdMs: number;
  /** Start a detection run on the camera's motion events (false: only runs added by others are published). */
  onEvents: boolean;
}

/** A run whose completion this process is not told of (another machine worked it) is looked up this often. */
const POLL_MS = 2_000;

export class DetectionFeature implements Feature {
  readonly #c: CameraContext;
  readonly #o: DetectionFeatureOptions;
  readonly #offTimers = new Map<string, NodeJS.Timeout>();
  #offs: (() => void)[] = [];
  #inFlight: string | undefined;
  #poll: NodeJS.Timeout | undefined;
  #controller = new AbortController();
  readonly #handled = new Set<string>();

  constructor(context: CameraContext, options: DetectionFeatureOptions) {
    this.#c = context;
    this.#o = options;
  }

  start(): void {
    this.#controller = new AbortController();
    for (const label of this.#o.labels) void this.#c.publisher.state(this.#c.topics.detected(label), 'OFF');
    const mine = (job: Job): boolean => job.type === 'detect' && (job.camera ?? (job.params as { camera?: unknown }).camera) === this.#c.camera.id;
    this.#offs = [
      this.#o.engine.on('completed', (job) => {
        if (mine(job)) void this.#finished(job);
      }),
      this.#o.engine.on('failed', (job) => {
        if (mine(job)) void this.#finished(job);
      }),
      this.#o.engine.on('cancelled', (job) => {
        if (mine(job)) void this.#finished(job);
      }),
    ];
    if (this.#o.onEvents && this.#c.source.events !== undefined) void this.#watch(this.#c.source.events.bind(this.#c.source));
  }

  async stop(): Promise<void> {
    this.#controller.abort();
    for (const off of this.#offs.splice(0)) off();
    for (const timer of this.#offTimers.values()) clearTimeout(timer);
    this.#offTimers.clear();
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  async #watch(events: (signal: AbortSignal) => AsyncIterable<{ type: string; state: string; time: Date; id?: string }>): Promise<void> {
    const signal = AbortSignal.any([this.#controller.signal, this.#c.signal]);
    try {
      for await (const event of events(signal)) {
        const type = event.type.toLowerCase();
        if (event.state !== 'active' || !(MOTION_EVENT_TYPES.has(type) || type === 'motion' || type === 'ding')) continue;
        await this.#startRun(event.id ?? `${this.#c.camera.id}-${type}-${event.time.getTime()}`);
      }
    } catch (error) {
      if (!isAbortError(error)) this.#c.logger.warn(`Camera '${this.#c.camera.id}': detection stopped watching events: ${ensureError(error).message}`);
    }
  }

  async #startRun(eventId: string): Promise<void> {
    if (this.#inFlight !== undefined) return;
    try {
      const job = await this.#o.engine.add('detect', { camera: this.#c.camera.id, event_id: eventId });
      this.#inFlight = job.id;
      this.#poll ??= setInterval(() => void this.#lookUp(), POLL_MS);
    } catch (error) {
      this.#c.logger.warn(`Camera '${this.#c.camera.id}': detection not started: ${ensureError(error).message}`);
    }
  }

  async #lookUp(): Promise<void> {
    const id = this.#inFlight;
    if (id === undefined) return;
    const job = await this.#o.engine.get(id).catch(() => undefined);
    if (job !== undefined && (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled')) await this.#finished(job);
  }

  async #finished(job: Job): Promise<void> {
    if (this.#inFlight === job.id) {
      this.#inFlight = undefined;
      clearInterval(this.#poll);
      this.#poll = undefined;
    }
    // Told twice (an event and the look-up): published once.
    if (this.#handled.has(job.id)) return;
    this.#handled.add(job.id);
    if (this.#handled.size > 1000) this.#handled.delete(this.#handled.values().next().value ?? '');
    if (job.state !== 'completed') {
      if (job.state === 'failed') this.#c.reportFailure(new Error(job.error ?? 'detection failed'), 'detection');
      return;
    }
    const detections = ((job.result as { detections?: PublishedDetection[] } | undefined)?.detections ?? []).filter((d) => typeof d.label === 'string');
    await this.publish(detections);
  }

  /** Publishes one run's detections (each label once, as core reports them). */
  async publish(detections: readonly PublishedDetection[]): Promise<void> {
    const c = this.#c;
    for (const d of detections) {
      const group = labelGroup(d.label);
      await c.publisher.event(
        c.topics.detection,
        JSON.stringify({
          event_type: group,
          label: d.label,
          score: Math.round(d.score * 1000) / 1000,
          ...(d.box === undefined ? {} : { box: d.box }),
          ...(d.zone === undefined ? {} : { zone: d.zone }),
          ...(d.face === undefined ? {} : { face: d.face.known ? d.face.name : 'unknown', similarity: Math.round(d.face.similarity * 1000) / 1000 }),
          ...(d.description === undefined ? {} : { description: d.description }),
          ...(d.snapshot === undefined ? {} : { snapshot: d.snapshot }),
          ...(d.eventId === undefined ? {} : { event_id: d.eventId }),
          time: d.at ?? new Date().toISOString(),
        }),
      );
      if (d.face !== undefined) {
        await c.publisher.state(c.topics.face, d.face.known ? d.face.name : 'unknown');
        if (d.face.known) await c.publisher.event(c.topics.detection, JSON.stringify({ event_type: 'face', face: d.face.name, similarity: Math.round(d.face.similarity * 1000) / 1000, time: d.at ?? new Date().toISOString() }));
      }
      if (this.#o.labels.includes(group)) this.#hold(group);
    }
    const best = [...detections].filter((d) => d.snapshot !== undefined).sort((a, b) => b.score - a.score)[0];
    if (best?.snapshot !== undefined) {
      try {
        await c.publisher.state(c.topics.detectionImage, await readFile(best.snapshot));
      } catch (error) {
        c.logger.debug(`Camera '${c.camera.id}': annotated picture ${best.snapshot}: ${ensureError(error).message}`);
      }
    }
  }

  #hold(label: string): void {
    const topic = this.#c.topics.detected(label);
    void this.#c.publisher.state(topic, 'ON');
    clearTimeout(this.#offTimers.get(label));
    const timer = setTimeout(() => {
      this.#offTimers.delete(label);
      void this.#c.publisher.state(topic, 'OFF');
    }, this.#o.holdMs);
    timer.unref();
    this.#offTimers.set(label, timer);
  }
}

/**
 * Detection runs on the events of the cameras listed under `detect.cameras` (it costs CPU: listing a
 * camera is the opt-in); each reports the groups of its labels (person, vehicle, animal, ...).
 */
export function detectionFromConfig(config: CamflowConfig): (cameraId: string) => Omit<DetectionFeatureOptions, 'engine'> | undefined {
  return (cameraId) => {
    const settings = config.detect.cameras[cameraId];
    if (settings === undefined) return undefined;
    const labels = settings.labels.some((l) => l === '*' || l === 'all') ? ['person', 'vehicle', 'animal'] : settings.labels;
    return { labels: [...new Set(labels.map(labelGroup))], holdMs: config.mqtt?.detection_hold ?? 30_000, onEvents: true };
  };
}
