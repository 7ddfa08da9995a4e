/** `snapshot`: one JPEG from a camera into the media folder (`snapshots/<camera>/<time>.jpg`). */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { diskError, fileStamp, writeWhole } from '../files.js';
import { defineJobType } from '../registry.js';

export const snapshotJob = defineJobType({
  type: 'snapshot',
  params: z.strictObject({
    camera: z.string().min(1),
    /** File name under the camera's snapshot folder; default the time. */
    filename: z
      .string()
      .regex(/^[\w.-]+\.jpe?g$/, 'a plain file name ending in .jpg')
      .optional(),
  }),
  result: z.object({ path: z.string(), bytes: z.number().int(), at: z.string() }),
  concurrency: 4,
  perCamera: 2,
  async handler(params, { services, signal, progress }) {
    const camera = services.camera(params.camera);
    progress(0, 'requesting');
    const jpeg = await camera.snapshot({ signal });
    const at = new Date();
    const dir = join(services.mediaDir, 'snapshots', params.camera);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw diskError(error, dir);
    }
    const path = join(dir, params.filename ?? `${fileStamp(at)}.jpg`);
    progress(0.5, 'saving');
    await writeWhole(path, jpeg, signal);
    return { path, bytes: jpeg.length, at: at.toISOString() };
  },
});
