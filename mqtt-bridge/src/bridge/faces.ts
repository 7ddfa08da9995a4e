/**
 * Face enrolment from Home Assistant, as pipeline `face-enroll` jobs:
 *   <base>/<camera>/face_enroll/set          payload: a name; enrols the face in the camera's snapshot now
 *   <base>/bridge/face_enroll/<name>/set     payload: a JPEG of that person
 * The outcome goes to <base>/bridge/face_enrolled (`{"name","samples"}`, never retained), a refusal or
 * failure to <base>/bridge/error like every other command.
 */
import { enrolFace as enrolOnPipeline, FACE_NAME as NAME, type JobEngine, MAX_FACE_PICTURE_BYTES } from '@camflow/core';

export { MAX_FACE_PICTURE_BYTES };

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

/** Runs one enrolment on the pipeline (core) and resolves with what to announce. */
export function enrolFace(engine: JobEngine, command: FaceCommand, inbox: string): Promise<{ name: string; samples: number }> {
  return enrolOnPipeline(engine, command.kind === 'camera' ? { name: command.name, camera: command.camera } : { name: command.name, jpeg: command.jpeg }, inbox);
}
