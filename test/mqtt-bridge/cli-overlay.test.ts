import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';
import { camflowBin, repoRoot, runCamflow } from '../helpers/cli.js';

const simulators: HikvisionSimulator[] = [];
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(simulators.splice(0).map((simulator) => simulator.stop()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function camera(options: HikvisionSimulatorOptions = {}): Promise<HikvisionSimulator> {
  const simulator = new HikvisionSimulator(options);
  simulators.push(simulator);
  await simulator.start();
  return simulator;
}

function cameraYaml(id: string, simulator: HikvisionSimulator, overlays: string, password = 'password'): string {
  return `
  - id: ${id}
    name: ${id[0]?.toUpperCase()}${id.slice(1)}
    type: hikvision
    host: 127.0.0.1
    port: ${simulator.port}
    username: admin
    password: ${password}
    overlays:
${overlays}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function configFile(cameras: string, interval = '1s'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-overlay-'));
  dirs.push(dir);
  const file = join(dir, 'camflow.yaml');
  await writeFile(file, `overlay_sync:\n  interval: ${interval}\n  timeout: 3s\ncameras:${cameras}\n`);
  return file;
}

const BACK_OVERLAYS = `      - id: 1
        text: "{{counter}} - {{now:YYYY-MM-DD HH:mm:ss}}"
      - id: 2
        text: "Outside {{value.temperature:0.1}} °C"
`;

describe('camflow overlay sync', () => {
  it('--once writes every overlay, prints one JSON line and takes --set values', async () => {
    const back = await camera();
    const file = await configFile(cameraYaml('back', back, BACK_OVERLAYS));
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--once', '--json', '--set', 'temperature=21.46']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['cycle', 'durationMs', 'updated', 'unchanged', 'failed', 'cameras', 'errors']);
    expect(report).toMatchObject({ cycle: 1, updated: 2, unchanged: 0, failed: 0, cameras: { back: expect.any(Number) as number }, errors: {} });
    expect(back.overlay(1, 1)?.text).toMatch(/^1 - \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(back.overlay(1, 2)?.text).toBe('Outside 21.5 °C');
    expect(result.stderr).toMatch(/✓ Updated overlay 2 on 'Back': "Outside 21\.5 °C" \(\d+ms\)/);
    expect(result.stderr).not.toContain('no overlay template uses');
  });

  it('warns about a --set value no template uses (a typo), and still runs', async () => {
    const back = await camera();
    const file = await configFile(cameraYaml('back', back, BACK_OVERLAYS));
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--once', '--set', 'temperatur=21']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('! --set temperatur=...: no overlay template uses {{value.temperatur}} (templates use: temperature)');
    expect(back.overlay(1, 2)?.text).toBe('Outside -- °C');
  });

  it('--cycles N runs N cycles and sends only what changed after the first', async () => {
    const back = await camera();
    const file = await configFile(cameraYaml('back', back, BACK_OVERLAYS), '100ms');
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--cycles', '3', '--json']);
    expect(result.code).toBe(0);
    const reports = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { cycle: number; updated: number; unchanged: number });
    expect(reports.map((r) => [r.cycle, r.updated, r.unchanged])).toEqual([
      [1, 2, 0],
      [2, 1, 1],
      [3, 1, 1],
    ]);
    expect(back.requestLog.filter((entry) => entry.method === 'PUT')).toHaveLength(3);
  });

  it('--validate checks every camera and exits non-zero when one fails', async () => {
    const good = await camera();
    const locked = await camera({ password: 'other' });
    const small = await camera({ overlayCount: 2 });
    const file = await configFile(
      cameraYaml('good', good, BACK_OVERLAYS) +
        cameraYaml('locked', locked, BACK_OVERLAYS, 'wrong') +
        cameraYaml('small', small, `      - id: 1\n        text: "ok"\n      - id: 3\n        text: "missing"\n`),
    );
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--validate']);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toContain("✓ 'Good' (good): reachable, credentials accepted, overlays 1, 2, 3, 4, text limit 44");
    expect(lines.find((line) => line.startsWith("✗ 'Locked' (locked): credentials rejected"))).toBeDefined();
    expect(lines).toContain("✗ 'Small' (small): overlay 3 does not exist on the camera (it has 1, 2)");
    expect(locked.stats.failedLogins).toBe(1);
    // Validation reads, it never writes.
    expect(good.requestLog.filter((entry) => entry.method === 'PUT')).toEqual([]);
  });

  it('--once names each camera that could not be synced, and why, in the JSON and in one line each, and exits 1', async () => {
    const good = await camera();
    const locked = await camera({ password: 'other' });
    const deadPort = await freePort();
    const file = await configFile(
      cameraYaml('good', good, BACK_OVERLAYS) +
        cameraYaml('locked', locked, BACK_OVERLAYS, 'wrong') +
        `
  - id: dead
    type: hikvision
    host: 127.0.0.1
    port: ${deadPort}
    username: admin
    password: password
    overlays:
      - id: 1
        text: x
`,
    );
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--once', '--json']);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { failed: number; updated: number; errors: Record<string, string> };
    expect(report.updated).toBe(2);
    expect(Object.keys(report.errors).sort()).toEqual(['dead', 'locked']);
    expect(report.errors['locked']).toMatch(/credentials/);
    expect(report.errors['dead']).toMatch(/ECONNREFUSED|refused/);
    const lines = result.stderr.trim().split('\n');
    expect(lines.filter((line) => line.startsWith('✗ '))).toHaveLength(2);
    expect(lines.find((line) => line.startsWith("✗ camera 'dead' (cycle 1): "))).toBeDefined();
    // No daemon talk from a one-shot run.
    expect(result.stderr).not.toMatch(/retrying in|parked for|pausing requests/);
  });

  it('--cycles N exits 1 while a camera is still failing at the end, with the reason in every cycle', async () => {
    const good = await camera();
    const locked = await camera({ password: 'other' });
    const file = await configFile(cameraYaml('good', good, BACK_OVERLAYS) + cameraYaml('locked', locked, BACK_OVERLAYS, 'wrong'), '100ms');
    const result = await runCamflow(['overlay', 'sync', '--config', file, '--cycles', '3', '--json']);
    expect(result.code).toBe(1);
    const reports = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { errors: Record<string, string> });
    expect(reports).toHaveLength(3);
    for (const report of reports) expect(report.errors['locked']).toMatch(/credentials/);
    expect(locked.stats.failedLogins).toBe(1);
  });

  it('runs until SIGINT and then stops cleanly, closing its connections', async () => {
    const back = await camera();
    const file = await configFile(cameraYaml('back', back, BACK_OVERLAYS), '100ms');
    const child = spawn(process.execPath, [camflowBin, 'overlay', 'sync', '--config', file, '--json'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const twoCycles = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.split('\n').length > 2) resolve();
      });
    });
    await twoCycles;
    const exited = once(child, 'exit');
    child.kill('SIGINT');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    for (let i = 0; i < 200 && back.stats.connectionsOpen > 0; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(back.stats.connectionsOpen).toBe(0);
  });

  it('rejects bad arguments with the usage, and a bad template with its path', async () => {
    const conflicting = await runCamflow(['overlay', 'sync', '--config', 'x.yaml', '--once', '--cycles', '2']);
    expect(conflicting.code).toBe(2);
    expect(conflicting.stderr).toContain('use either --once or --cycles N, not both');
    expect(conflicting.stderr).toContain('usage: camflow overlay sync --config FILE');
    expect((await runCamflow(['overlay', 'sync', '--config', 'x.yaml', '--set', 'no-equals'])).code).toBe(2);
    const back = await camera();
    const file = await configFile(cameraYaml('back', back, `      - id: 1\n        text: "{{counter} {{value.t:0.x}}"\n`));
    const bad = await runCamflow(['overlay', 'sync', '--config', file, '--once']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cameras\[0\]\.overlays\[0\]\.text \(line \d+\): .+ at column \d+/);
    expect(back.stats.requests).toBe(0);
  });
});
