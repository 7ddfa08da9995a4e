/**
 * `camflow ring login`: email + password (+ the 2FA code Ring sends) exchanged for a refresh token that
 * is stored in the data directory, never in camflow.yaml. The front-end asks the questions; this only
 * talks to Ring through ring-client-api's own oauth code, so the token format is the library's.
 */
import { randomUUID } from 'node:crypto';
import { RingRestClient } from 'ring-client-api/rest-client';
import { AuthError } from '../../errors.js';
import { useRingApiBase } from './api-base.js';
import { RingTokenStore } from './token-store.js';

export interface RingLoginOptions {
  email: string;
  password: string;
  dataDir: string;
  /** Asked only when Ring answers that a 2FA code is needed; `prompt` is Ring's own hint (sms/email/app). */
  askCode: (prompt: string) => Promise<string>;
  /** FOR TESTING: a fake Ring cloud's base URL (also read from CAMFLOW_RING_API_BASE). */
  apiBase?: string;
}

export class RingTwoFactorError extends AuthError {
  override readonly code: string = 'RING_2FA_FAILED';
}

/** Logs in and stores the refresh token (mode 0600). Returns the token file's path. */
export async function ringLogin(options: RingLoginOptions): Promise<string> {
  const store = new RingTokenStore(options.dataDir);
  // A fixed system id per login: the library hashes it into the hardware id Ring binds the token to,
  // and with it skips probing the machine's UUID (up to 5 s).
  const apiBase = options.apiBase ?? process.env.CAMFLOW_RING_API_BASE;
  const restore = apiBase === undefined || apiBase === '' ? undefined : useRingApiBase(apiBase);
  try {
    return await loginWith(options, store);
  } finally {
    restore?.();
  }
}

async function loginWith(options: RingLoginOptions, store: RingTokenStore): Promise<string> {
  const systemId = randomUUID();
  const client = new RingRestClient({ email: options.email, password: options.password, systemId });
  let refreshToken: string;
  try {
    refreshToken = (await client.getAuth()).refresh_token;
  } catch (first) {
    if (!client.using2fa) throw new AuthError('Ring refused the login: check the email and password', { cause: first });
    const code = (await options.askCode(client.promptFor2fa ?? 'Enter the code Ring sent you')).trim();
    try {
      refreshToken = (await client.getAuth(code)).refresh_token;
    } catch (second) {
      throw new RingTwoFactorError('Ring refused the verification code: run `camflow ring login` again for a new one', { cause: second });
    }
  }
  await store.write(refreshToken, systemId);
  return store.path;
}
