/**
 * Detection as the config describes it: one Detector (on the CpuPool), the face store in the data
 * folder, the Ollama describer when configured, and each camera's settings. Front-ends, jobs and the
 * CLI build it here; creating it does no I/O (models load in the worker threads on first use).
 */
import { join } from 'node:path';
import { cameraDetectSettings, type CameraDetectConfig, type DetectConfig } from '../config/detect.js';
import { detectConfig } from '../config/detect.js';
import { noopLogger, type Logger } from '../log.js';
import { CpuPool } from '../pipeline/pool.js';
import { OllamaDescriber } from './describe.js';
import { Detector, type RunSettings } from './detector.js';
import { FaceStore } from './faces.js';
import type { Detection, DetectFrame } from './types.js';

/**
 * A worker thread that loaded the models (~200 MB) is kept this long after its last picture: the
 * next event within it is detected at once, after it the model loads again (~1 s).
 */
const IDLE_MS = 10 * 60_000;

export interface DetectionServiceOptions {
  config?: DetectConfig;
  dataDir: string;
  mediaDir: string;
  /** Shared pool (the pipeline's); without one a pool of `config.threads` threads is made and owned. */
  pool?: CpuPool;
  logger?: Logger;
}

export class DetectionService {
  readonly config: DetectConfig;
  readonly detector: Detector;
  readonly faces: FaceStore;
  readonly describer: OllamaDescriber | undefined;
  readonly mediaDir: string;
  readonly #ownPool: CpuPool | undefined;

  constructor(options: DetectionServiceOptions) {
    this.config = options.config ?? detectConfig.parse({});
    const logger = options.logger ?? noopLogger;
    this.#ownPool = options.pool === undefined ? new CpuPool({ ...(this.config.threads === undefined ? {} : { threads: this.config.threads }), idleTimeoutMs: IDLE_MS }) : undefined;
    this.faces = new FaceStore(join(options.dataDir, 'faces.json'));
    const f = this.config.faces;
    this.detector = new Detector({
      pool: options.pool ?? (this.#ownPool as CpuPool),
      faces: this.faces,
      faceSettings: { threshold: f.threshold, margin: f.margin, minSize: f.min_size, minVotes: f.min_votes },
      logger,
    });
    const o = this.config.ollama;
    this.describer = o === undefined ? undefined : new OllamaDescriber({ url: o.url, model: o.model, prompt: o.prompt, timeoutMs: o.timeout, api: o.api, stream: o.stream }, logger);
    this.mediaDir = options.mediaDir;
  }

  cameraConfig(camera: string): CameraDetectConfig {
    return cameraDetectSettings(this.config, camera);
  }

  settings(camera: string): RunSettings {
    const c = this.cameraConfig(camera);
    return { labels: c.labels, minScore: c.min_score, zones: c.zones, faces: c.faces };
  }

  /** Where a camera's annotated JPEGs go. */
  outDir(camera: string): string {
    return join(this.mediaDir, 'detections', camera.replace(/[^\w.-]/g, '_'));
  }

  /**
   * Detections of one event, described when the camera asks for it and Ollama is configured. A
   * description that fails leaves the detections as they are, saying it is unavailable.
   */
  async detect(camera: string, eventId: string, frames: readonly DetectFrame[], signal?: AbortSignal, settings: RunSettings = this.settings(camera)): Promise<Detection[]> {
    const detections = await this.detector.run(frames, {
      camera,
      eventId,
      settings,
      ...(this.config.keep_annotated ? { outDir: this.outDir(camera) } : {}),
      ...(signal === undefined ? {} : { signal }),
    });
    if (detections.length > 0 && this.describer !== undefined && this.cameraConfig(camera).describe) {
      const top = detections.reduce((a, b) => (b.score > a.score ? b : a));
      const frame = frames.find((f) => f.at.toISOString() === top.at) ?? frames[0];
      if (frame !== undefined) {
        const description = await this.describer.describe(frame.jpeg, signal);
        for (const d of detections) d.description = description.text;
      }
    }
    return detections;
  }

  async close(): Promise<void> {
    await this.#ownPool?.close();
  }
}
