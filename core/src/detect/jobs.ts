/**
 * Pipeline job types: `detect` (a camera's snapshots over a few seconds, or picture files),
 * `describe` (a picture through Ollama) and `face-enroll` (a person from pictures or a camera's
 * current snapshot). Handlers share one DetectionService per pipeline, on the pipeline's CpuPool;
 * a front-end that has a `detect:` config hands it over with configureDetection() first.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { DetectConfig } from '../config/detect.js';
import { ConfigError } from '../errors.js';
import { defineJobType } from '../pipeline/registry.js';
import type { PipelineServices } from '../pipeline/services.js';
import { DetectError } from './detector.js';
import { takeFrames } from './on-event.js';
import { DetectionService } from './service.js';
import type { DetectFrame } from './types.js';

const configs = new WeakMap<PipelineServices, DetectConfig>();
const services = new WeakMap<PipelineServices, DetectionService>();

/** Uses this `detect:` config for the pipeline's detection jobs (call before jobs run). */
export function configureDetection(pipelineServices: PipelineServices, config: DetectConfig): void {
  configs.set(pipelineServices, config);
  services.delete(pipelineServices);
}

/** The pipeline's DetectionService (made on first use, on the pipeline's pool). */
export function detectionFor(pipelineServices: PipelineServices): DetectionService {
  let service = services.get(pipelineServices);
  if (service === undefined) {
    const config = configs.get(pipelineServices);
    service = new DetectionService({
      ...(config === undefined ? {} : { config }),
      dataDir: pipelineServices.dataDir,
      mediaDir: pipelineServices.mediaDir,
      pool: pipelineServices.pool(),
      logger: pipelineServices.logger,
    });
    services.set(pipelineServices, service);
  }
  return service;
}

async function readPictures(paths: readonly string[], signal: AbortSignal): Promise<DetectFrame[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        return { jpeg: await readFile(path, { signal }), at: new Date() };
      } catch (error) {
        throw new DetectError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
      }
    }),
  );
}

const box = z.tuple([z.number(), z.number(), z.number(), z.number()]);
export const detectionSchema = z.object({
  camera: z.string(),
  eventId: z.string(),
  label: z.string(),
  score: z.number(),
  box,
  zone: z.string().optional(),
  face: z.object({ name: z.string(), known: z.boolean(), similarity: z.number() }).optional(),
  snapshot: z.string().optional(),
  description: z.string().optional(),
  at: z.string(),
});

export const detectJob = defineJobType({
  type: 'detect',
  params: z
    .strictObject({
      camera: z.string().min(1).optional(),
      images: z.array(z.string().min(1)).min(1).optional(),
      /** Snapshots to take from the camera; default the camera's detect config. */
      frames: z.number().int().min(1).max(20).optional(),
      interval_ms: z.number().int().min(0).max(60_000).optional(),
      event_id: z.string().min(1).optional(),
    })
    .refine((p) => (p.camera === undefined) !== (p.images === undefined), 'give either camera or images'),
  result: z.object({ detections: z.array(detectionSchema) }),
  concurrency: 2,
  perCamera: 1,
  attempts: 1,
  async handler(params, { services: s, signal, progress, jobId }) {
    const service = detectionFor(s);
    const camera = params.camera ?? 'file';
    let frames: DetectFrame[];
    if (params.camera !== undefined) {
      const c = service.cameraConfig(params.camera);
      const count = params.frames ?? c.frames;
      progress(0, `taking ${count} snapshot(s)`);
      frames = await takeFrames(s.camera(params.camera), count, params.interval_ms ?? c.interval, signal);
    } else {
      frames = await readPictures(params.images ?? [], signal);
    }
    progress(0.5, `detecting in ${frames.length} picture(s)`);
    const detections = await service.detect(camera, params.event_id ?? jobId, frames, signal);
    return { detections };
  },
});

export const describeJob = defineJobType({
  type: 'describe',
  params: z.strictObject({ image: z.string().min(1), camera: z.string().min(1).optional() }),
  result: z.object({ ok: z.boolean(), text: z.string(), model: z.string(), ms: z.number() }),
  concurrency: 1,
  attempts: 1,
  async handler(params, { services: s, signal, progress }) {
    const describer = detectionFor(s).describer;
    if (describer === undefined) throw new ConfigError('describe needs detect.ollama in the config (url, model)');
    const [frame] = await readPictures([params.image], signal);
    progress(0.2, 'asking Ollama');
    return describer.describe(frame?.jpeg ?? new Uint8Array(), signal);
  },
});

export const faceEnrollJob = defineJobType({
  type: 'face-enroll',
  params: z
    .strictObject({ name: z.string().min(1).max(64), images: z.array(z.string().min(1)).min(1).optional(), camera: z.string().min(1).optional() })
    .refine((p) => (p.camera === undefined) !== (p.images === undefined), 'give either images or camera'),
  result: z.object({ name: z.string(), samples: z.number().int(), negatives: z.number().int(), enrolledAt: z.string() }),
  concurrency: 1,
  attempts: 1,
  async handler(params, { services: s, signal, progress }) {
    const detector = detectionFor(s).detector;
    const pictures =
      params.camera !== undefined
        ? [{ name: `camera ${params.camera}'s snapshot`, jpeg: await s.camera(params.camera).snapshot({ signal }) }]
        : await Promise.all((params.images ?? []).map(async (path) => ({ name: path, jpeg: (await readPictures([path], signal))[0]?.jpeg ?? new Uint8Array() })));
    progress(0.3, `finding faces in ${pictures.length} picture(s)`);
    return detector.enroll(params.name, pictures, signal);
  },
});
