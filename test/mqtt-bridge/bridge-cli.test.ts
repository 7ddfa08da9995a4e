/** `camflow bridge` as a real process: starts the embedded broker, serves, and stops cleanly on SIGTERM. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { camflowBin, repoRoot, runCamflow, startUntil } from '../helpers/cli.js';
import { TestMqttClient } from '../helpers/mqtt.js';
import { HikvisionSimulator } from '@camflow/simulators';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('camflow bridge', () => {
  it('runs on the embedded broker until SIGTERM, then publishes offline and exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = join(dir, 'camflow.yaml');
    await writeFile(config, 'mqtt:\n  embedded: { port: 0 }\n');
    const child = spawn(process.execPath, [camflowBin, 'bridge', '--config', config], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /running on (mqtt:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${stdout}`)));
    });
    // It replaced itself in place (same PID) with a small young generation: a lean long-running process.
    const cmdline = (await readFile(`/proc/${child.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmdline).toContain('--max-semi-space-size=2');
    expect(await readFile(`/proc/${child.pid}/environ`, 'utf8')).toContain('MALLOC_ARENA_MAX=2');
    const ha = await TestMqttClient.connect(url, ['homeassistant/device/+/config', 'camflow/bridge/availability']);
    cleanups.push(() => ha.close());
    await ha.waitFor('homeassistant/device/camflow_bridge/config');
    await ha.waitFor('camflow/bridge/availability', (m) => m.text === 'online');
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(ha.on('camflow/bridge/availability').map((m) => m.text)).toContain('offline');
    expect(stdout).toContain('✓ camflow bridge stopped');
  });

  it('works the jobs added with camflow jobs add (the pipeline runs in the bridge)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Slow enough that the job is still running when the bridge's once-a-second pipeline state goes out.
    const camera = new HikvisionSimulator({ latencyMs: 1200 });
    await camera.start();
    cleanups.push(() => camera.stop());
    const config = join(dir, 'camflow.yaml');
    await writeFile(
      config,
      `mqtt:\n  embedded: { port: 0 }\ncameras:\n  - id: gate\n    type: hikvision\n    host: 127.0.0.1\n    port: ${camera.port}\n    username: admin\n    password: password\n`,
    );
    const { child, stdout } = await startUntil(process.execPath, [camflowBin, 'bridge', '--config', config], 'running on', cleanups);
    const url = /running on (mqtt:\/\/\S+)/.exec(stdout())?.[1] ?? '';
    const ha = await TestMqttClient.connect(url, ['camflow/bridge/jobs']);
    cleanups.push(() => ha.close());
    const added = await runCamflow(['jobs', 'add', 'snapshot', '--camera', 'gate', '--config', config]);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    await expect
      .poll(async () => (JSON.parse((await runCamflow(['jobs', 'list', '--json', '--config', config])).stdout) as { id: string; state: string }[]).find((j) => j.id === id)?.state, {
        timeout: 20_000,
        interval: 300,
      })
      .toBe('completed');
    // The bridge device's pipeline state: the job was seen running, then nothing runs.
    const states = (): { running_count: number; running: { id: string }[] }[] => ha.on('camflow/bridge/jobs').map((m) => JSON.parse(m.text) as { running_count: number; running: { id: string }[] });
    await expect.poll(() => states().at(-1)?.running_count, { timeout: 10_000 }).toBe(0);
    expect(states().some((s) => s.running.some((job) => job.id === id))).toBe(true);
    // Relative folders are under the config's folder.
    const files = await readdir(join(dir, 'media', 'snapshots', 'gate'));
    expect(files.filter((f) => f.endsWith('.jpg'))).toHaveLength(1);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });

  it('asks for --config', async () => {
    const result = await runCamflow(['bridge']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('usage: camflow bridge --config FILE');
  });
});
