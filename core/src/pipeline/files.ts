/**
 * Writing media so that a file that exists is whole: write `name.part`, then rename. A failure or a
 * cancel removes the partial file. A full or unwritable disk is said plainly (and is not retried).
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { ensureError } from '../errors.js';

export async function writeWhole(path: string, data: Buffer, signal?: AbortSignal): Promise<void> {
  const part = `${path}.part`;
  try {
    await writeFile(part, data, signal === undefined ? {} : { signal });
    await rename(part, path);
  } catch (error) {
    await rm(part, { force: true });
    throw diskError(error, path);
  }
}

/** ENOSPC and friends with a sentence a user understands; the errno code is kept (no retry for it). */
export function diskError(error: unknown, path: string): Error {
  const e = ensureError(error);
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'the disk is full'
      : code === 'EACCES' || code === 'EPERM'
        ? 'no permission to write there'
        : code === 'EROFS'
          ? 'the file system is read-only'
          : code === 'ENOENT' || code === 'ENOTDIR'
            ? 'the folder does not exist'
            : undefined;
  if (reason === undefined) return e;
  const out = new Error(`cannot write ${path}: ${reason}`, { cause: e }) as NodeJS.ErrnoException;
  out.code = code;
  return out;
}

/** `2026-12-05T04-09-50-123Z`: sortable, and valid in file names everywhere. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
