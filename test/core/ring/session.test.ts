import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RingAccount, RingLoginRequiredError, RingTokenStore, ringLogin, useRingApiBase } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';

let dir: string;
let cloud: FakeRingCloud;
let restore: () => void;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-session-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'pw-secret' });
  const base = await cloud.start();
  await ringLogin({ email: 'me@example.com', password: 'pw-secret', dataDir: dir, apiBase: base, askCode: () => Promise.reject(new Error('no 2FA here')) });
  restore = useRingApiBase(base);
});
afterEach(async () => {
  restore();
  await cloud.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Opens the shared account of `dir` (one request forces the login), then lets it go. */
async function useAccount(): Promise<void> {
  const account = RingAccount.acquire(dir, { push: false });
  try {
    await account.request({ url: 'https://api.ring.com/clients_api/ring_devices' });
    await account.flushed();
  } finally {
    await account.release();
  }
}

describe('Ring account from the stored token', () => {
  it('writes every rotated token back (0600), so the next start works without a login', async () => {
    const store = new RingTokenStore(dir);
    const before = await store.require();
    await useAccount();
    const after = await store.require();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    // The old token was rotated away by the fake; the stored one still works.
    await useAccount();
  });

  it('a revoked token is one clear "log in again" error', async () => {
    cloud.revokeAll();
    const error = await useAccount().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingLoginRequiredError);
    expect((error as Error).message).toMatch(/camflow ring login/);
  });
});
