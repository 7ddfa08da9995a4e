/** `camflow events`: a real process printing a simulated camera's events as they happen, until SIGTERM. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { camflowBin, repoRoot, runCamflow } from '../helpers/cli.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(password = 'password', extra = '', snapshot?: Buffer): Promise<{ sim: HikvisionSimulator; config: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-events-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const sim = new HikvisionSimulator({ heartbeatMs: 1000, ...(snapshot === undefined ? {} : { snapshot }) });
  await sim.start();
  cleanups.push(() => sim.stop());
  const config = join(dir, 'camflow.yaml');
  await writeFile(config, `${extra}cameras:\n  - id: gate\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: ${password}\n`);
  return { sim, config };
}

describe('camflow events', () => {
  it('prints each event as one JSON line with --json, and exits 0 on SIGTERM', async () => {
    const { sim, config } = await setup();
    const child = spawn(process.execPath, [camflowBin, 'events', '--config', config, '--camera', 'gate', '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'VMD', state: 'active', description: 'Motion alarm' });
    await expect.poll(() => stdout.includes('\n'), { timeout: 10_000 }).toBe(true);
    const event = JSON.parse(stdout.split('\n')[0]!) as Record<string, unknown>;
    expect(event).toMatchObject({ camera: 'gate', type: 'vmd', state: 'active', channel: 1, description: 'Motion alarm' });
    expect(Number.isNaN(Date.parse(String(event['time'])))).toBe(false);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('with the camera listed under detect.cameras, also prints what its motion events show', async () => {
    const people = readFileSync(new URL('../fixtures/detect/people.jpg', import.meta.url));
    const { sim, config } = await setup('password', 'detect:\n  threads: 1\n  cameras:\n    gate: { labels: [person], frames: 1 }\n', people);
    const child = spawn(process.execPath, [camflowBin, 'events', '--config', config, '--camera', 'gate', '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    const lines = (): Record<string, unknown>[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    await expect.poll(() => lines().find((l) => l['type'] === 'detection'), { timeout: 60_000 }).toMatchObject({ camera: 'gate', label: 'person' });
    expect(lines()[0]).toMatchObject({ type: 'vmd', state: 'active' });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  }, 90_000);

  it('refuses an unknown camera in one line, before any network call', async () => {
    const { sim, config } = await setup();
    const result = await runCamflow(['events', '--config', config, '--camera', 'nosuch']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("no camera 'nosuch' (have: gate)");
    expect(sim.stats.requests).toBe(0);
  });
});
