/**
 * Object and face detection off the event loop. `Detector` sends each picture to a CpuPool worker
 * thread (worker.ts: JPEG decode, human's models), then decides on the main thread, which is cheap:
 * label filter, minimum score, zones, the best frame per label, face names (FaceStore, vote over the
 * frames) and the annotated JPEG (drawn and encoded in a worker too). Without a pool it runs on the
 * calling thread, which blocks the event loop for 150-400 ms a picture: the benchmark's baseline only.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CamflowError } from '../errors.js';
import { noopLogger, type Logger } from '../log.js';
import { fileStamp, writeWhole } from '../pipeline/files.js';
import type { CpuPool } from '../pipeline/pool.js';
import { voteFaces, type FaceStore, type FaceMatch, type FaceSettings, type PersonSummary } from './faces.js';
import { LABEL_COLORS, type BoxAnnotation } from './image.js';
import type { AnnotateTask, DetectOutput, DetectTask, RawFace, RawObject } from './worker.js';
import { expandLabels, type Detection, type FaceVerdict, type DetectFrame } from './types.js';
import { zoneOf, type Zone } from './zones.js';

/** A picture the detector cannot read, or a face that is not there. Not retried. */
export class DetectError extends CamflowError {
  override readonly code: string = 'DETECT_FAILED';
}

export interface DetectorOptions {
  /** Worker threads to run in; without one, detection runs on the calling thread. */
  pool?: CpuPool;
  /** Enrolled people; without it faces are not looked at. */
  faces?: FaceStore;
  faceSettings?: FaceSettings & { minVotes: number };
  logger?: Logger;
}

/** What counts on one camera (the config's `detect.cameras.<id>`, in core's words). */
export interface RunSettings {
  labels: readonly string[];
  minScore: number;
  zones: readonly Zone[];
  faces: boolean;
}

export interface RunOptions {
  camera: string;
  eventId: string;
  settings: RunSettings;
  /** Folder for the annotated JPEGs; none: nothing is written. */
  outDir?: string;
  signal?: AbortSignal;
}

const WORKER = new URL('./worker.js', import.meta.url);
export const DEFAULT_FACE_SETTINGS: FaceSettings & { minVotes: number } = { threshold: 0.65, margin: 0.05, minSize: 48, minVotes: 0.5 };

type FaceOutcome = { verdict: FaceVerdict; face: RawFace; frame: number } | undefined;

interface Kept {
  frame: number;
  object: RawObject;
  zone: string | undefined;
}

export class Detector {
  readonly #pool: CpuPool | undefined;
  readonly #faces: FaceStore | undefined;
  readonly #faceSettings: FaceSettings & { minVotes: number };
  readonly #logger: Logger;
  readonly #recent: { at: number; ms: number }[] = [];
  #total = 0;

  constructor(options: DetectorOptions = {}) {
    this.#pool = options.pool;
    this.#faces = options.faces;
    this.#faceSettings = options.faceSettings ?? DEFAULT_FACE_SETTINGS;
    this.#logger = (options.logger ?? noopLogger).child('detect');
  }

  /** Pictures analysed in the last minute, per second, and their mean time in the worker (ms). */
  figures(): { framesPerSecond: number; meanMs: number; frames: number } {
    const since = performance.now() - 60_000;
    while ((this.#recent[0]?.at ?? Infinity) < since) this.#recent.shift();
    const n = this.#recent.length;
    const span = n === 0 ? 1 : Math.max(1, (performance.now() - (this.#recent[0]?.at ?? 0)) / 1000);
    return { framesPerSecond: Math.round((n / span) * 10) / 10, meanMs: n === 0 ? 0 : Math.round(this.#recent.reduce((a, r) => a + r.ms, 0) / n), frames: this.#total };
  }

  get faces(): FaceStore | undefined {
    return this.#faces;
  }

  async #task<O>(task: DetectTask | AnnotateTask, signal?: AbortSignal): Promise<O> {
    signal?.throwIfAborted();
    if (this.#pool !== undefined) return this.#pool.run<DetectTask | AnnotateTask, O>(WORKER, task, signal === undefined ? {} : { signal });
    const inline = (await import('./worker.js')).default;
    return (await inline(task)) as O;
  }

  /** Everything the models see in one JPEG, boxes in 0..1. */
  async analyze(jpeg: Uint8Array, what: { objects: boolean; faces: boolean }, signal?: AbortSignal): Promise<DetectOutput> {
    try {
      const output = await this.#task<DetectOutput>({ op: 'detect', jpeg, objects: what.objects, faces: what.faces }, signal);
      this.#total++;
      this.#recent.push({ at: performance.now(), ms: output.ms });
      if (this.#recent.length > 10_000) this.#recent.shift();
      return output;
    } catch (error) {
      if (signal?.aborted === true) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new DetectError(/SOI|marker|JPEG|jpeg/i.test(message) ? `not a readable JPEG (${message})` : message, { cause: error });
    }
  }

  /** The JPEG with boxes and labels drawn. */
  async annotateImage(jpeg: Uint8Array, annotations: BoxAnnotation[], signal?: AbortSignal): Promise<Buffer> {
    return Buffer.from(await this.#task<Uint8Array>({ op: 'annotate', jpeg, annotations }, signal));
  }

  /** Detections of one event over its frames: each label once, from its best frame. */
  async run(frames: readonly DetectFrame[], options: RunOptions): Promise<Detection[]> {
    const { settings, signal } = options;
    const lookAtFaces = settings.faces && this.#faces !== undefined;
    const outputs = await Promise.all(frames.map((frame) => this.analyze(frame.jpeg, { objects: true, faces: lookAtFaces }, signal)));
    const allowed = expandLabels(settings.labels);
    const kept: Kept[][] = outputs.map(() => []);
    const best = new Map<string, Kept>();
    outputs.forEach((output, frame) => {
      for (const object of output.objects) {
        if (allowed !== 'all' && !allowed.has(object.label)) continue;
        if (object.score < settings.minScore) continue;
        const zone = zoneOf(object.box, settings.zones);
        if (zone === null) continue;
        const entry: Kept = { frame, object, zone };
        kept[frame]?.push(entry);
        const current = best.get(object.label);
        if (current === undefined || object.score > current.object.score) best.set(object.label, entry);
      }
    });
    const face = lookAtFaces ? await this.#faceVerdict(outputs) : undefined;
    const detections: Detection[] = [...best.entries()].map(([label, entry]) => {
      const frameAt = frames[entry.frame]?.at ?? new Date();
      const detection: Detection = {
        camera: options.camera,
        eventId: options.eventId,
        label,
        score: round(entry.object.score),
        box: entry.object.box.map(round) as Detection['box'],
        at: frameAt.toISOString(),
      };
      if (entry.zone !== undefined) detection.zone = entry.zone;
      if (label === 'person' && face !== undefined) detection.face = face.verdict;
      return detection;
    });
    // A face with no person box around it (a close-up at a doorbell) is still reported.
    const faceZone = face === undefined ? undefined : zoneOf(face.face.box, settings.zones);
    const faceWanted = allowed === 'all' || allowed.has('person') || allowed.has('face');
    if (face !== undefined && !best.has('person') && faceWanted && faceZone !== null) {
      detections.push({
        ...(faceZone === undefined ? {} : { zone: faceZone }),
        camera: options.camera,
        eventId: options.eventId,
        label: 'face',
        score: round(face.face.score),
        box: face.face.box.map(round) as Detection['box'],
        face: face.verdict,
        at: (frames[face.frame]?.at ?? new Date()).toISOString(),
      });
    }
    if (options.outDir !== undefined && detections.length > 0) await this.#saveAnnotated(frames, outputs, kept, detections, face, options);
    this.#logger.debug(() => `${options.camera} ${options.eventId}: ${detections.map((d) => `${d.label} ${d.score}`).join(', ') || 'nothing'} in ${frames.length} frame(s)`);
    return detections;
  }

  /** One match per frame that had a face (its best-named face, else its largest), then the vote. */
  async #faceVerdict(outputs: readonly DetectOutput[]): Promise<FaceOutcome> {
    const store = this.#faces;
    if (store === undefined) return undefined;
    const perFrame: { match: FaceMatch; face: RawFace; frame: number }[] = [];
    for (const [frame, output] of outputs.entries()) {
      let chosen: { match: FaceMatch; face: RawFace } | undefined;
      for (const face of [...output.faces].sort((a, b) => b.size - a.size)) {
        const match = await store.match(face.embedding, face.size, this.#faceSettings);
        if (chosen === undefined || (match.name !== null && (chosen.match.name === null || match.similarity > chosen.match.similarity))) chosen = { match, face };
      }
      if (chosen !== undefined) perFrame.push({ ...chosen, frame });
    }
    const vote = voteFaces(
      perFrame.map((p) => p.match),
      this.#faceSettings.minVotes,
    );
    if (vote === undefined) return undefined;
    const shown = perFrame.find((p) => p.match.name === vote.name) ?? perFrame.reduce((a, b) => (b.face.size > a.face.size ? b : a));
    return { verdict: { name: vote.name ?? 'unknown', known: vote.name !== null, similarity: round(vote.similarity) }, face: shown.face, frame: shown.frame };
  }

  async #saveAnnotated(frames: readonly DetectFrame[], outputs: readonly DetectOutput[], kept: readonly Kept[][], detections: Detection[], face: FaceOutcome, options: RunOptions): Promise<void> {
    const outDir = options.outDir as string;
    await mkdir(outDir, { recursive: true });
    const bestFrames = new Map<number, Detection[]>();
    for (const detection of detections) {
      const frame = detection.label === 'face' ? (face?.frame ?? 0) : frames.findIndex((f) => f.at.toISOString() === detection.at);
      const index = Math.max(0, frame);
      bestFrames.set(index, [...(bestFrames.get(index) ?? []), detection]);
    }
    for (const [frame, those] of bestFrames) {
      const source = frames[frame];
      if (source === undefined) continue;
      const annotations: BoxAnnotation[] = (kept[frame] ?? []).map((k) => ({ box: k.object.box, text: `${k.object.label} ${Math.round(k.object.score * 100)}%`, color: LABEL_COLORS[k.object.label] ?? [255, 128, 0] }));
      for (const f of outputs[frame]?.faces ?? []) {
        const named = face !== undefined && face.face === f ? face.verdict.name : '';
        annotations.push({ box: f.box, text: named, color: LABEL_COLORS.face ?? [255, 200, 0], below: true });
      }
      const jpeg = await this.annotateImage(source.jpeg, annotations, options.signal);
      const path = join(outDir, `${fileStamp(source.at)}-${safe(options.eventId)}-${frame}.jpg`);
      await writeWhole(path, jpeg, options.signal);
      for (const d of those) d.snapshot = path;
    }
  }

  /** Face embeddings in a picture, largest face first. */
  async faceEmbeddings(jpeg: Uint8Array, signal?: AbortSignal): Promise<RawFace[]> {
    const output = await this.analyze(jpeg, { objects: false, faces: true }, signal);
    return [...output.faces].sort((a, b) => b.size - a.size);
  }

  /** Enrols the largest face of each picture; a picture without a face is an error naming it. */
  async enroll(name: string, pictures: readonly { name: string; jpeg: Uint8Array }[], signal?: AbortSignal): Promise<PersonSummary> {
    const store = this.#requireStore();
    const embeddings: number[][] = [];
    for (const picture of pictures) {
      const [largest] = await this.faceEmbeddings(picture.jpeg, signal);
      if (largest === undefined) throw new DetectError(`no face found in ${picture.name}`);
      embeddings.push(largest.embedding);
    }
    return store.enroll(name, embeddings);
  }

  /** "That was not <name>": the face in the picture that was named so becomes a negative example. */
  async markWrong(name: string, jpeg: Uint8Array, signal?: AbortSignal): Promise<PersonSummary> {
    const store = this.#requireStore();
    const faces = await this.faceEmbeddings(jpeg, signal);
    if (faces.length === 0) throw new DetectError('no face found in the picture');
    let chosen = faces[0] as RawFace;
    let bestSimilarity = -1;
    for (const face of faces) {
      const match = await store.match(face.embedding, Number.MAX_SAFE_INTEGER, { threshold: 0, margin: 0, minSize: 0 });
      if (match.name === name && match.similarity > bestSimilarity) {
        chosen = face;
        bestSimilarity = match.similarity;
      }
    }
    return store.markWrong(name, chosen.embedding);
  }

  #requireStore(): FaceStore {
    if (this.#faces === undefined) throw new DetectError('faces are not set up (no face store)');
    return this.#faces;
  }
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function safe(id: string): string {
  return id.replace(/[^\w.-]/g, '_').slice(0, 64);
}
