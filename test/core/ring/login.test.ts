import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RingTokenStore, RingTwoFactorError, ringLogin } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';

let dir: string;
let cloud: FakeRingCloud;
let base: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-login-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'hunter2-secret', code: '123456' });
  base = await cloud.start();
});
afterEach(async () => {
  await cloud.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camflow ring login (core)', () => {
  it('logs in with 2FA and stores a refresh token Ring accepts, mode 0600', async () => {
    const prompts: string[] = [];
    const path = await ringLogin({
      email: 'me@example.com',
      password: 'hunter2-secret',
      dataDir: dir,
      apiBase: base,
      askCode: async (prompt) => {
        prompts.push(prompt);
        return '123456';
      },
    });
    expect(prompts).toEqual(['Please enter the code sent to +xxxxxxx1234 via sms']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const token = await new RingTokenStore(dir).require();
    // The library's wrapped form: base64 JSON whose `rt` is the fake's live refresh token.
    const inner = JSON.parse(Buffer.from(token.refreshToken, 'base64').toString('utf8')) as { rt: string };
    expect(cloud.validRefreshTokens.has(inner.rt)).toBe(true);
    expect(await readFile(path, 'utf8')).not.toContain('hunter2-secret');
    expect(globalThis.fetch.name).not.toBe('wrapped');
  });

  it('a wrong 2FA code is one clear error and stores nothing', async () => {
    const error = await ringLogin({ email: 'me@example.com', password: 'hunter2-secret', dataDir: dir, apiBase: base, askCode: async () => '000000' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RingTwoFactorError);
    expect((error as Error).message).toMatch(/camflow ring login/);
    expect(await new RingTokenStore(dir).read()).toBeUndefined();
  });
});
