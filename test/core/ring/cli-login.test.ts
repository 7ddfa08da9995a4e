import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RING_TOKEN_FILE } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';
import { runCamflow } from '../../helpers/cli.js';

let dir: string;
let cloud: FakeRingCloud;
let base: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-cli-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'hunter2-secret', code: '654321' });
  base = await cloud.start();
});
afterEach(async () => {
  await cloud.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camflow ring login (CLI)', () => {
  it('reads the answers from the environment, stores the token 0600 and prints no secret', async () => {
    const env = { CAMFLOW_RING_EMAIL: 'me@example.com', CAMFLOW_RING_PASSWORD: 'hunter2-secret', CAMFLOW_RING_CODE: '654321', CAMFLOW_RING_API_BASE: base };
    const result = await runCamflow(['ring', 'login', '--data-dir', dir], { env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Ring login stored');
    expect((await stat(join(dir, RING_TOKEN_FILE))).mode & 0o777).toBe(0o600);
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2-secret');
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/rt-[0-9a-f]{24}/);
  });

  it('a wrong code exits non-zero with one line saying to log in again', async () => {
    const env = { CAMFLOW_RING_EMAIL: 'me@example.com', CAMFLOW_RING_PASSWORD: 'hunter2-secret', CAMFLOW_RING_CODE: '000000', CAMFLOW_RING_API_BASE: base };
    const result = await runCamflow(['ring', 'login', '--data-dir', dir], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/verification code.*camflow ring login/i);
    expect(result.stderr).not.toContain('hunter2-secret');
  });
});
