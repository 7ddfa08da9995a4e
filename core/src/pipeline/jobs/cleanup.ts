/**
 * `cleanup`: keeps the media folder within an age and a size. Files older than `max_age_ms` go first,
 * then the oldest until the folder is under `max_bytes`. A `.part` file is a transfer in progress:
 * left alone unless older than a day (a crash's leftover).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { defineJobType } from '../registry.js';

const STALE_PART_MS = 24 * 3600_000;

interface MediaFile {
  path: string;
  bytes: number;
  mtimeMs: number;
}

async function walk(dir: string, out: MediaFile[], signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, out, signal);
    else if (entry.isFile()) {
      const info = await stat(path).catch(() => undefined);
      if (info !== undefined) out.push({ path, bytes: info.size, mtimeMs: info.mtimeMs });
    }
  }
}

export const cleanupJob = defineJobType({
  type: 'cleanup',
  params: z.strictObject({
    max_age_ms: z.number().int().positive().optional(),
    max_bytes: z.number().int().positive().optional(),
  }),
  result: z.object({ removed: z.number().int(), freedBytes: z.number().int(), keptBytes: z.number().int() }),
  concurrency: 1,
  attempts: 1,
  async handler(params, { services, signal, progress }) {
    const files: MediaFile[] = [];
    await walk(services.mediaDir, files, signal);
    const now = Date.now();
    const candidates = files.filter((f) => !f.path.endsWith('.part') || now - f.mtimeMs > STALE_PART_MS).sort((a, b) => a.mtimeMs - b.mtimeMs);
    let total = files.reduce((sum, f) => sum + f.bytes, 0);
    let removed = 0;
    let freed = 0;
    for (const [index, file] of candidates.entries()) {
      signal.throwIfAborted();
      const tooOld = params.max_age_ms !== undefined && now - file.mtimeMs > params.max_age_ms;
      const tooBig = params.max_bytes !== undefined && total > params.max_bytes;
      if (!tooOld && !tooBig) continue;
      await rm(file.path, { force: true });
      services.logger.debug(`cleanup: removed ${relative(services.mediaDir, file.path)}`);
      removed++;
      freed += file.bytes;
      total -= file.bytes;
      progress((index + 1) / candidates.length, `${removed} removed`);
    }
    return { removed, freedBytes: freed, keptBytes: total };
  },
});
