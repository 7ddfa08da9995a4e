/**
 * The everyday commands on a Ring camera, as real processes against the fake Ring cloud:
 * `camflow config check`, `camera info`, `snapshot`, `events` (a ding as it happens), and a revoked
 * login as one line that says what to do.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ringLogin } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';
import { camflowBin, repoRoot, runCamflow } from '../../helpers/cli.js';

const PICTURE = await readFile(new URL('../../fixtures/detect/people.jpg', import.meta.url));
let dir: string;
let cloud: FakeRingCloud;
let env: Record<string, string>;
let config: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-cli-cam-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'pw-secret' });
  const base = await cloud.start();
  env = { CAMFLOW_RING_API_BASE: base };
  cloud.devices.add({ id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE });
  await ringLogin({ email: 'me@example.com', password: 'pw-secret', dataDir: join(dir, '.camflow'), apiBase: base, askCode: () => Promise.reject(new Error('no 2FA')) });
  config = join(dir, 'camflow.yaml');
  await writeFile(config, 'cameras:\n  - id: front\n    type: ring\n    device: Front Door\n    push: false\n    watchdog: 200ms\n');
});
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
  await cloud.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('camflow commands on a Ring camera', () => {
  it('config check, camera info and snapshot', async () => {
    expect((await runCamflow(['config', 'check', config], { env })).code).toBe(0);
    const info = await runCamflow(['camera', 'info', '--config', config, '--camera', 'front'], { env });
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ manufacturer: 'Ring', doorbell: true });
    const out = join(dir, 'front.jpg');
    const snap = await runCamflow(['snapshot', '--config', config, '--camera', 'front', '-o', out], { env });
    expect(snap.code, snap.stderr).toBe(0);
    expect((await readFile(out)).equals(PICTURE)).toBe(true);
  });

  it('events prints a ding as it happens', async () => {
    const child = spawn(process.execPath, [camflowBin, 'events', '--config', config, '--camera', 'front', '--json'], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await expect.poll(async () => (await readFile(join(dir, '.camflow', 'ring-events-front.json'), 'utf8').catch(() => '')).includes('watermark'), { timeout: 15_000 }).toBe(true);
    const ding = cloud.devices.addEvent(101, { kind: 'ding' });
    await expect.poll(() => stdout.includes('\n'), { timeout: 10_000 }).toBe(true);
    expect(JSON.parse(stdout.split('\n')[0]!)).toMatchObject({ camera: 'front', type: 'ding', state: 'active', time: ding.at.toISOString() });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('a revoked login is one line saying to log in again, exit 1', async () => {
    cloud.revokeAll();
    const snap = await runCamflow(['snapshot', '--config', config, '--camera', 'front', '-o', join(dir, 'x.jpg')], { env });
    expect(snap.code).toBe(1);
    expect(snap.stderr.trim().split('\n')).toHaveLength(1);
    expect(snap.stderr).toMatch(/front.*camflow ring login/);
  });
});
