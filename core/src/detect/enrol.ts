/**
 * Enrolling a person from any front-end (MQTT, Node-RED, the CLI): a name, and either a JPEG of them
 * or a camera whose current snapshot shows them, as a `face-enroll` job on the pipeline. A JPEG is
 * first written to the inbox folder (job params are JSON, never pictures).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { fileStamp } from '../pipeline/files.js';
import type { Job, JobEngine } from '../pipeline/types.js';

/** A photo of a person is a few hundred kB; anything far beyond is not one. */
export const MAX_FACE_PICTURE_BYTES = 8 * 1024 * 1024;
/** Letters and digits first, then letters, digits, space . ' _ -; up to 64 characters. */
export const FACE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} .'_-]{0,63}$/u;

export type FaceEnrolment = { name: string; camera: string } | { name: string; jpeg: Buffer };

/** Why this enrolment is refused, or undefined when it is fine. */
export function faceEnrolmentProblem(e: FaceEnrolment): string | undefined {
  if (!FACE_NAME.test(e.name)) return `'${e.name.slice(0, 40)}' is not a name (letters, digits, space . ' _ -, up to 64)`;
  if ('jpeg' in e) {
    if (e.jpeg.length > MAX_FACE_PICTURE_BYTES) return `picture of ${e.jpeg.length} bytes refused: at most ${MAX_FACE_PICTURE_BYTES}`;
    if (e.jpeg.length < 4 || e.jpeg[0] !== 0xff || e.jpeg[1] !== 0xd8) return 'the picture is not a JPEG';
  }
  return undefined;
}

/** Runs one enrolment on the pipeline; resolves with the name and how many samples the person now has. */
export async function enrolFace(engine: JobEngine, enrolment: FaceEnrolment, inbox: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<{ name: string; samples: number }> {
  const problem = faceEnrolmentProblem(enrolment);
  if (problem !== undefined) throw new ConfigError(problem);
  let params: { name: string; camera?: string; images?: string[] };
  if ('camera' in enrolment) params = { name: enrolment.name, camera: enrolment.camera };
  else {
    await mkdir(inbox, { recursive: true });
    const file = join(inbox, `${fileStamp(new Date())}-${enrolment.name.replace(/[^\w-]+/g, '_')}.jpg`);
    await writeFile(file, enrolment.jpeg);
    params = { name: enrolment.name, images: [file] };
  }
  const job = await engine.add('face-enroll', params);
  const done = await finished(engine, job.id, options.timeoutMs ?? 120_000, options.signal);
  if (done.state !== 'completed') throw new Error(`enrolling ${enrolment.name} ${done.state}: ${done.error ?? 'no reason given'}`);
  const result = done.result as { name?: string; samples?: number } | undefined;
  return { name: result?.name ?? enrolment.name, samples: result?.samples ?? 0 };
}

async function finished(engine: JobEngine, id: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Job> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    const job = await engine.get(id);
    if (job !== undefined && (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled')) return job;
    if (Date.now() > deadline) throw new Error(`enrolment job ${id} did not finish within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
