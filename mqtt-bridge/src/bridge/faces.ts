/**
 * Face enrolment from Home Assistant, as pipeline `face-enroll` jobs:
 *   <base>/<camera>/face_enroll/set          payload: a name; enrols the face in the camera's snapshot now
 *   <base>/bridge/face_enroll/<name>/set     payload: a JPEG of that person
 * The outcome goes to <base>/bridge/face_enrolled (`{"name","samples"}`, never retained), a refusal or
 * failure to <base>/bridge/error like every other command.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileStamp, type Job, type JobEngine } from '@camflow/core';

/** A photo of a person is a few hundred kB; anything far beyond is not one. */
export const MAX_FACE_PICTURE_BYTES = 8 * 1024 * 1024;
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} .'_-]{0,63}$/u;
const WAIT_MS = 120_000;

export type FaceCommand = { kind: 'camera'; camera: string; name: string } | { kind: 'picture'; name: string; jpeg: Buffer };

/** Recognises a face-enrolment topic; undefined for any other topic, a reason string when refused. */
export function parseFaceCommand(base: string, topic: string, payload: Buffer, cameras: ReadonlySet<string>): FaceCommand | string | undefined {
  const parts = topic.slice(base.length + 1).split('/');
  if (!topic.startsWith(`${base}/`) || parts.at(-1) !== 'set') return undefined;
  if (parts.length === 3 && parts[1] === 'face_enroll' && parts[0] !== 'bridge') {
    const camera = parts[0] ?? '';
    if (!cameras.has(camera)) return `unknown camera '${camera}'`;
    if (payload.length > 256) return 'a name is expected, at most 64 characters';
    const name = payload.toString('utf8').trim();
    return NAME.test(name) ? { kind: 'camera', camera, name } : `'${name.slice(0, 40)}' is not a name (letters, digits, space . ' _ -, up to 64)`;
  }
  if (parts.length === 4 && parts[0] === 'bridge' && parts[1] === 'face_enroll') {
    const name = parts[2] ?? '';
    if (!NAME.test(name)) return `'${name.slice(0, 40)}' is not a name (letters, digits, space . ' _ -, up to 64)`;
    if (payload.length > MAX_FACE_PICTURE_BYTES) return `picture of ${payload.length} bytes refused: at most ${MAX_FACE_PICTURE_BYTES}`;
    if (payload.length < 4 || payload[0] !== 0xff || payload[1] !== 0xd8) return 'the payload is not a JPEG';
    return { kind: 'picture', name, jpeg: payload };
  }
  return undefined;
}

/** Runs one enrolment on the pipeline and resolves with what to announce. */
export async function enrolFace(engine: JobEngine, command: FaceCommand, inbox: string): Promise<{ name: string; samples: number }> {
  let params: { name: string; camera?: string; images?: string[] };
  if (command.kind === 'camera') params = { name: command.name, camera: command.camera };
  else {
    await mkdir(inbox, { recursive: true });
    const file = join(inbox, `${fileStamp(new Date())}-${command.name.replace(/[^\w-]+/g, '_')}.jpg`);
    await writeFile(file, command.jpeg);
    params = { name: command.name, images: [file] };
  }
  const job = await engine.add('face-enroll', params);
  const done = await finished(engine, job.id);
  if (done.state !== 'completed') throw new Error(`enrolling ${command.name} ${done.state}: ${done.error ?? 'no reason given'}`);
  const result = done.result as { name?: string; samples?: number } | undefined;
  return { name: result?.name ?? command.name, samples: result?.samples ?? 0 };
}

async function finished(engine: JobEngine, id: string): Promise<Job> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const job = await engine.get(id);
    if (job !== undefined && (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled')) return job;
    if (Date.now() > deadline) throw new Error(`enrolment job ${id} did not finish within ${WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
