/** Where a command writes a file the user named: checked before any network call, said plainly. */
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from './command.js';

/** Fails now, with a sentence, when `file` cannot be written (its folder missing, not writable). */
export async function checkOutputPath(file: string): Promise<void> {
  const folder = dirname(resolve(file));
  const info = await stat(folder).catch(() => undefined);
  if (info === undefined) throw new UsageError(`cannot write ${file}: the folder ${folder} does not exist`);
  if (!info.isDirectory()) throw new UsageError(`cannot write ${file}: ${folder} is not a folder`);
  await access(folder, constants.W_OK).catch(() => {
    throw new UsageError(`cannot write ${file}: no permission to write in ${folder}`);
  });
}

export async function writeOutput(file: string, data: Buffer): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'no permission' : (error as Error).message;
    throw new Error(`cannot write ${file}: ${why}`, { cause: error });
  }
}
