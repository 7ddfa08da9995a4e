import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RingLoginRequiredError, RingTokenStore, openRingSession, ringLogin, useRingApiBase } from '@camflow/core';
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

describe('Ring session from the stored token', () => {
  it('writes every rotated token back (0600), so the next start works without a login', async () => {
    const store = new RingTokenStore(dir);
    const before = await store.require();
    const first = await openRingSession(dir);
    await first.flushed();
    first.close();
    const after = await store.require();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    // The old token was rotated away by the fake; the stored one still works.
    const second = await openRingSession(dir);
    await second.flushed();
    second.close();
  });

  it('a revoked token is one clear "log in again" error', async () => {
    cloud.revokeAll();
    const error = await openRingSession(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingLoginRequiredError);
    expect((error as Error).message).toMatch(/camflow ring login/);
  });
});
