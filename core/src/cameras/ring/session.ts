/**
 * A logged-in Ring REST client from the stored token. Every token the library rotates
 * (onRefreshTokenUpdated) is written back at once, so a restart never needs a new login; a token Ring
 * refuses becomes one RingLoginRequiredError.
 */
import { RingRestClient } from 'ring-client-api/rest-client';
import { RING_LOGIN_AGAIN, RingLoginRequiredError, RingTokenStore } from './token-store.js';

export interface RingSession {
  client: RingRestClient;
  /** Resolves when the last rotated token is on disk. */
  flushed(): Promise<void>;
  close(): void;
}

export async function openRingSession(dataDir: string): Promise<RingSession> {
  const store = new RingTokenStore(dataDir);
  const { refreshToken, systemId } = await store.require();
  const client = new RingRestClient({ refreshToken, systemId });
  let writing: Promise<void> = Promise.resolve();
  const subscription = client.onRefreshTokenUpdated.subscribe(({ newRefreshToken }) => {
    // Chained so two quick rotations land in order and the newest wins.
    writing = writing.then(() => store.write(newRefreshToken, systemId)).catch(() => undefined);
  });
  try {
    await client.getAuth();
  } catch (error) {
    subscription.unsubscribe();
    throw new RingLoginRequiredError(`Ring refused the stored login (expired or revoked): ${RING_LOGIN_AGAIN}`, { cause: error });
  }
  return {
    client,
    flushed: () => writing,
    close: () => {
      subscription.unsubscribe();
      client.clearTimeouts();
    },
  };
}
