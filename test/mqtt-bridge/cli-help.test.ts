/** The CLI as a new user meets it: help everywhere, in 80 columns, arguments checked before the network. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { runCamflow } from '../helpers/cli.js';

const simBin = fileURLToPath(new URL('../../simulators/bin/camflow-sim.js', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function runSim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [simBin, ...args], { timeout: 10_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr });
    });
  });
}

describe('camflow help', () => {
  it('lists every command in 80 columns, and has --version', async () => {
    const help = await runCamflow(['--help']);
    expect(help.code).toBe(0);
    for (const line of help.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(help.stdout).toContain('camflow jobs add TYPE');
    const version = await runCamflow(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^camflow \d+\.\d+\.\d+\n$/);
  });

  it('gives every command and group its own help with each option, in 80 columns', async () => {
    for (const args of [['snapshot', '--help'], ['overlay', 'sync', '-h'], ['connect', '--help'], ['jobs', 'add', '--help'], ['worker', '--help'], ['trailcam', '--help'], ['trailcam', 'thumbnail', '--help']]) {
      const result = await runCamflow(args);
      expect(result.code, args.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^usage/);
      for (const line of result.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
    const snapshot = await runCamflow(['snapshot', '--help']);
    expect(snapshot.stdout).toContain('-o, --out FILE');
    expect((await runCamflow(['overlay', 'sync', '--help'])).stdout).toMatch(/Unset\s+values\s+show\s+as\s+--/);
  });
});

describe('arguments are checked before any network call', () => {
  it('-o into a folder that does not exist is one plain sentence, and the camera is never asked', async () => {
    const camera = new HikvisionSimulator();
    await camera.start();
    cleanups.push(() => camera.stop());
    const dir = await mkdtemp(join(tmpdir(), 'camflow-help-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'camflow.yaml');
    await writeFile(config, `cameras:\n  - { id: gate, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password }\n`);
    const result = await runCamflow(['snapshot', '--config', config, '--camera', 'gate', '-o', '/nonexistent-dir/x.jpg']);
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe('camflow snapshot: cannot write /nonexistent-dir/x.jpg: the folder /nonexistent-dir does not exist');
    expect(result.stderr).not.toContain('ENOENT');
    expect(camera.stats.requests).toBe(0);
  });

  it('trailcam thumbnail without -o is refused before logging in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-help-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'camflow.yaml');
    // A camera nobody answers for: were it contacted, the command would take its whole timeout.
    await writeFile(config, 'cameras:\n  - { id: trail, type: p2p, did: LBCS-000000-CCCJJ, host: 127.0.0.1, lan_port: 9, password: x, timeout: 30s }\n');
    const result = await runCamflow(['trailcam', 'thumbnail', '--config', config, '--camera', 'trail'], { timeoutMs: 10_000 });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('-o FILE is required');
  });
});

describe('camflow-sim', () => {
  it('without arguments says which simulators exist and exits 2; --help is on stdout and exits 0', async () => {
    const none = await runSim([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^camflow-sim: which simulator\?\nusage/);
    const help = await runSim(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/camflow-sim hikvision/);
    expect(help.stdout).toContain('CAMFLOW_SIM_PASSWORD');
    const kind = await runSim(['hikvision', '--help']);
    expect(kind.code).toBe(0);
    expect(kind.stdout).toContain('camflow-sim hikvision [--count N]');
    expect(kind.stdout).not.toContain('trailcam [');
  });
});
