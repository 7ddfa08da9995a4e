/**
 * The detector's task module: its default export runs in a CpuPool worker thread (or, for the
 * benchmark's baseline, on the main thread). Each thread loads the models once, on its first task,
 * and keeps them. Input and output are plain, structured-cloneable values; boxes leave here in 0..1.
 */
import { HumanDetector } from './human.js';
import { annotateImage, decodeJpeg, encodeJpeg, shrinkImage, type BoxAnnotation } from './image.js';

export interface DetectTask {
  op: 'detect';
  jpeg: Uint8Array;
  objects: boolean;
  faces: boolean;
  /** Longer side the picture is scaled down to first, default 1280. */
  maxSide?: number;
}

export interface AnnotateTask {
  op: 'annotate';
  jpeg: Uint8Array;
  annotations: BoxAnnotation[];
  quality?: number;
}

export interface RawObject {
  label: string;
  score: number;
  box: [number, number, number, number];
}

export interface RawFace {
  score: number;
  box: [number, number, number, number];
  /** Face width in pixels of the original picture. */
  size: number;
  embedding: number[];
}

export interface DetectOutput {
  width: number;
  height: number;
  objects: RawObject[];
  faces: RawFace[];
  /** Time spent in this thread (decode + models), ms. */
  ms: number;
  /** Resident memory of the process after the task, bytes (threads share it). */
  rss: number;
}

const detector = new HumanDetector();

export default async function run(task: DetectTask | AnnotateTask): Promise<DetectOutput | Uint8Array> {
  if (task.op === 'annotate') {
    const image = annotateImage(decodeJpeg(task.jpeg), task.annotations);
    return new Uint8Array(encodeJpeg(image, task.quality ?? 80));
  }
  const started = performance.now();
  const original = decodeJpeg(task.jpeg);
  const image = shrinkImage(original, task.maxSide ?? 1280);
  const { objects, faces } = await detector.detect(image, { objects: task.objects, faces: task.faces });
  const norm = (box: [number, number, number, number]): [number, number, number, number] => [
    clamp(box[0] / image.width),
    clamp(box[1] / image.height),
    clamp(box[2] / image.width),
    clamp(box[3] / image.height),
  ];
  return {
    width: original.width,
    height: original.height,
    objects: objects.map((o) => ({ label: o.label, score: o.score, box: norm(o.box) })),
    faces: faces
      .filter((f) => f.embedding !== undefined && f.embedding.length > 0)
      .map((f) => ({ score: f.score, box: norm(f.box), size: Math.round((f.box[2] / image.width) * original.width), embedding: f.embedding ?? [] })),
    ms: performance.now() - started,
    rss: process.memoryUsage.rss(),
  };
}

function clamp(v: number): number {
  return Math.min(1, Math.max(0, v));
}
