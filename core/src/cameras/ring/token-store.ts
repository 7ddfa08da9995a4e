/**
 * Where the Ring refresh token lives: one file in the data directory, mode 0600, written atomically
 * (temp file + rename) so a crash mid-write never leaves a truncated token and the next start still
 * logs in. Never in camflow.yaml: Ring rotates the token, and the config file is often shared.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AuthError, CamflowError } from '../../errors.js';

export const RING_TOKEN_FILE = 'ring-token.json';

/** The message every "log in again" path shows, so users see one wording. */
export const RING_LOGIN_AGAIN = 'run `camflow ring login` again';

/** No token yet, or Ring refused it (expired, revoked, password changed). */
export class RingLoginRequiredError extends AuthError {
  override readonly code: string = 'RING_LOGIN_REQUIRED';
}

interface StoredToken {
  refresh_token: string;
  /** Kept with the token: Ring ties the token to the hardware id it was issued for. */
  system_id: string;
  updated: string;
}

export class RingTokenStore {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, RING_TOKEN_FILE);
  }

  /** The stored token, or undefined when there is none (never logged in). */
  async read(): Promise<{ refreshToken: string; systemId: string } | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CamflowError(`Cannot read the Ring token file ${this.path}`, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoredToken>;
      if (typeof parsed.refresh_token !== 'string' || typeof parsed.system_id !== 'string') throw new Error('missing fields');
      return { refreshToken: parsed.refresh_token, systemId: parsed.system_id };
    } catch (error) {
      throw new RingLoginRequiredError(`The Ring token file ${this.path} is damaged: ${RING_LOGIN_AGAIN}`, { cause: error });
    }
  }

  /** The stored token, or the "log in first" error. */
  async require(): Promise<{ refreshToken: string; systemId: string }> {
    const token = await this.read();
    if (token === undefined) throw new RingLoginRequiredError(`No Ring login stored in ${this.path}: run \`camflow ring login\` first`);
    return token;
  }

  /** Writes the token atomically with mode 0600 (the temp file is created 0600, so it is never readable by others). */
  async write(refreshToken: string, systemId: string): Promise<void> {
    await mkdir(join(this.path, '..'), { recursive: true, mode: 0o700 });
    const body: StoredToken = { refresh_token: refreshToken, system_id: systemId, updated: new Date().toISOString() };
    const temp = `${this.path}.${process.pid}.${Date.now()}.tmp`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(body)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.path);
    } catch (error) {
      await rm(temp, { force: true });
      throw new CamflowError(`Cannot store the Ring token in ${this.path}`, { cause: error });
    }
  }
}
