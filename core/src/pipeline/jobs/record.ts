/**
 * `record`: a clip of N seconds from a camera. A camera that records to a local file (RTSP) writes
 * `clips/<camera>/<time>.mp4` under the media folder, with the pre-event buffer when asked, and the
 * result is the "clip ready" payload (camera, path, start, end, duration, size), returned only once
 * the file is whole. A Hikvision camera records on its own storage (manual recording for N seconds).
 */
import { join } from 'node:path';
import { z } from 'zod';
import { UnrecoverableJobError } from '../retry.js';
import { fileStamp } from '../files.js';
import { defineJobType } from '../registry.js';

export const recordJob = defineJobType({
  type: 'record',
  params: z.strictObject({
    camera: z.string().min(1),
    seconds: z.number().int().min(1).max(3600),
    /** Start the clip before now by the camera's pre-event buffer (RTSP with `pre_event`). */
    pre_event: z.boolean().default(false),
  }),
  result: z.object({
    camera: z.string(),
    path: z.string().optional(),
    start: z.string(),
    end: z.string(),
    duration_ms: z.number(),
    bytes: z.number().optional(),
    camera_side: z.boolean().optional(),
  }),
  concurrency: 4,
  perCamera: 2,
  attempts: 1,
  async handler(params, { services, signal, progress }) {
    const camera = services.camera(params.camera);
    if (camera.recordClip !== undefined) {
      const path = join(services.mediaDir, 'clips', params.camera.replace(/[^\w.-]/g, '_'), `${fileStamp(new Date())}.mp4`);
      progress(0, 'recording');
      const clip = await camera.recordClip({
        seconds: params.seconds,
        path,
        signal,
        ...(params.pre_event ? { preEventSeconds: 3600 } : {}),
        onProgress: (fraction, message) => progress(fraction, message),
      });
      return { camera: clip.camera, path: clip.path, start: clip.start.toISOString(), end: clip.end.toISOString(), duration_ms: clip.durationMs, bytes: clip.bytes };
    }
    if (camera.startRecording === undefined || camera.stopRecording === undefined) {
      throw new UnrecoverableJobError(`camera '${params.camera}' (${camera.kind}) cannot record`);
    }
    const start = new Date();
    await camera.startRecording({ signal });
    try {
      const until = start.getTime() + params.seconds * 1000;
      while (Date.now() < until) {
        progress((Date.now() - start.getTime()) / (params.seconds * 1000), 'recording on the camera');
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, until - Date.now())));
        signal.throwIfAborted();
      }
    } finally {
      await camera.stopRecording({ signal: AbortSignal.timeout(5000) });
    }
    const end = new Date();
    return { camera: params.camera, start: start.toISOString(), end: end.toISOString(), duration_ms: end.getTime() - start.getTime(), camera_side: true };
  },
});
