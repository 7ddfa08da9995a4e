import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RING_TOKEN_FILE, RingLoginRequiredError, RingTokenStore, ringCameraConfig } from '@camflow/core';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Ring token store', () => {
  it('has no token before a login and says to log in', async () => {
    const store = new RingTokenStore(dir);
    expect(await store.read()).toBeUndefined();
    await expect(store.require()).rejects.toThrow(RingLoginRequiredError);
    await expect(store.require()).rejects.toThrow(/camflow ring login/);
  });

  it('writes the token with mode 0600 and leaves no temp file', async () => {
    const store = new RingTokenStore(join(dir, 'data'));
    await store.write('rt-1', 'sys-1');
    await store.write('rt-2', 'sys-1');
    expect(await store.read()).toEqual({ refreshToken: 'rt-2', systemId: 'sys-1' });
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
    expect(await readdir(join(dir, 'data'))).toEqual([RING_TOKEN_FILE]);
    expect(await readFile(store.path, 'utf8')).toContain('rt-2');
  });

  it('a damaged file is a login-again error, not a crash', async () => {
    await writeFile(join(dir, RING_TOKEN_FILE), '{not json');
    const error = await new RingTokenStore(dir).read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingLoginRequiredError);
    expect((error as Error).message).toMatch(/camflow ring login/);
    expect((error as RingLoginRequiredError).code).toBe('RING_LOGIN_REQUIRED');
  });
});

describe('Ring camera config', () => {
  it('takes a device name or id and defaults the watchdog to 60s', () => {
    const config = ringCameraConfig.parse({ id: 'front', type: 'ring', device: 12345 });
    expect(config.device).toBe('12345');
    expect(config.watchdog).toBe(60_000);
    expect(ringCameraConfig.parse({ id: 'door', type: 'ring', device: 'Front Door', watchdog: '5m' }).watchdog).toBe(300_000);
    expect(() => ringCameraConfig.parse({ id: 'door', type: 'ring', device: 'x', password: 'p' })).toThrow();
  });
});
