import { z } from 'zod';
import { duration } from './common.js';

/** A polygon in image coordinates 0..1 (x to the right, y down), at least three points. */
const point = z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]);
export const zoneConfig = z.strictObject({
  name: z.string().min(1).regex(/^[\w-]+$/, 'letters, digits, _ and -'),
  points: z.array(point).min(3, 'a zone needs at least three points [x, y] in 0..1'),
});

export const motionConfig = z.strictObject({
  sensitivity: z
    .number()
    .int()
    .min(1)
    .max(255)
    .default(25)
    .meta({ description: 'A pixel changed when its gray level moved by more than this (lower: more sensitive)' }),
  min_area: z.number().min(0).max(1).default(0.01).meta({ description: 'Motion when at least this fraction of the (unmasked) image changed' }),
  masks: z.array(zoneConfig).default([]).meta({ description: 'Areas ignored for motion (trees, a busy road), polygons 0..1' }),
  fps: z.number().min(0.5).max(15).default(5),
  width: z.number().int().min(64).max(1280).default(320),
  height: z.number().int().min(36).max(720).default(180),
});

/** Per camera: what counts as a detection there. */
export const cameraDetectConfig = z.strictObject({
  labels: z
    .array(z.string().min(1))
    .default(['person', 'car', 'dog', 'cat'])
    .meta({ description: 'COCO labels reported for this camera (person, car, truck, bicycle, dog, cat, bird, ...)' }),
  min_score: z.number().min(0).max(1).default(0.4),
  zones: z.array(zoneConfig).default([]).meta({ description: 'Where a detection counts (its box bottom-centre inside); none: everywhere' }),
  frames: z.number().int().min(1).max(20).default(3).meta({ description: 'Snapshots per event' }),
  interval: duration('1s').meta({ description: 'Time between those snapshots' }),
  faces: z.boolean().default(true).meta({ description: 'Look for enrolled faces on person detections' }),
  describe: z.boolean().default(false).meta({ description: 'Ask Ollama to describe the best frame' }),
  motion: motionConfig.prefault({}),
});

export const facesConfig = z.strictObject({
  threshold: z
    .number()
    .min(0)
    .max(1)
    .default(0.65)
    .meta({ description: 'Cosine similarity a face needs to be named (calibrated on the test fixtures: same person 0.62-0.86, strangers <= 0.64)' }),
  margin: z.number().min(0).max(1).default(0.05).meta({ description: 'The best name must beat the next-best name (and any negative example) by this much' }),
  min_size: z.number().int().min(0).default(48).meta({ description: 'Smallest face (box width in pixels) given a name; smaller faces are unknown' }),
  min_votes: z.number().min(0).max(1).default(0.5).meta({ description: 'Share of the event frames with a face that must agree on the name' }),
});

export const ollamaConfig = z.strictObject({
  url: z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'expected an http URL such as http://127.0.0.1:11434')
    .default('http://127.0.0.1:11434'),
  model: z.string().min(1).default('llava'),
  prompt: z.string().min(1).default('Describe in one sentence what the people, vehicles and animals in this security camera picture are doing.'),
  timeout: duration('30s'),
  api: z.enum(['generate', 'chat']).default('generate'),
  stream: z.boolean().default(false),
});

/** The `detect:` section. */
export const detectConfig = z.strictObject({
  threads: z.number().int().min(1).max(64).optional().meta({ description: 'Detector worker threads; default one per core' }),
  cameras: z.record(z.string(), cameraDetectConfig.prefault({})).default({}).meta({ description: 'Per camera id; cameras not listed use the defaults' }),
  defaults: cameraDetectConfig.prefault({}),
  faces: facesConfig.prefault({}),
  ollama: ollamaConfig.optional().meta({ description: 'A local Ollama for descriptions; leave out to never describe' }),
  keep_annotated: z.boolean().default(true).meta({ description: 'Keep the annotated JPEG of each detection in media_dir/detections' }),
});

export type DetectConfig = z.output<typeof detectConfig>;
export type CameraDetectConfig = z.output<typeof cameraDetectConfig>;
export type FacesConfig = z.output<typeof facesConfig>;
export type OllamaConfig = z.output<typeof ollamaConfig>;
export type ZoneConfig = z.output<typeof zoneConfig>;
export type MotionConfig = z.output<typeof motionConfig>;

/** The detection settings of one camera: its own entry, or the defaults. */
export function cameraDetectSettings(config: DetectConfig, camera: string): CameraDetectConfig {
  return config.cameras[camera] ?? config.defaults;
}
