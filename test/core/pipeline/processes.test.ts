/**
 * The pipeline across real processes: `camflow worker` processes SIGKILLed in the middle of a job,
 * Redis itself killed and restarted, a running job cancelled. The job here is a real snapshot from a
 * simulated camera whose answers are slow, so "in the middle" is a request in flight.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createLogger, createPipeline, type JobEngine, loadConfig, type LogRecord, type Pipeline } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { camflowBin, repoRoot } from '../../helpers/cli.js';
import { RedisServer } from '../../helpers/redis.js';
import { until } from './engines.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
});
const redis = new RedisServer();
afterAll(() => redis.close());

interface Setup {
  dir: string;
  file: string;
  camera: HikvisionSimulator;
  pipeline: Pipeline;
  logs: LogRecord[];
}

async function setup(engine: 'sqlite' | 'redis', latencyMs: number): Promise<Setup> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-workers-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const camera = new HikvisionSimulator({ latencyMs });
  await camera.start();
  cleanup.push(() => camera.stop());
  if (engine === 'redis') await redis.start();
  const prefix = `p${Math.random().toString(36).slice(2, 8)}`;
  const file = join(dir, 'camflow.yaml');
  await writeFile(
    file,
    `cameras:\n  - id: gate\n    type: hikvision\n    host: 127.0.0.1\n    port: ${camera.port}\n    username: admin\n    password: password\n    timeout: 20s\n` +
      `pipeline:\n  engine: ${engine}\n  redis: { url: "${redis.url}", prefix: ${prefix} }\n  data_dir: ${join(dir, 'data')}\n  media_dir: ${join(dir, 'media')}\n  lease: 2s\n  retry_delay: 100ms\n`,
  );
  const config = await loadConfig(file);
  const logs: LogRecord[] = [];
  const pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, logger: createLogger({ level: 'debug', sink: (r) => logs.push(r) }) });
  cleanup.push(() => pipeline.close(0));
  return { dir, file, camera, pipeline, logs };
}

function worker(file: string): ChildProcess {
  const child = spawn(process.execPath, [camflowBin, 'worker', '--config', file], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  cleanup.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  });
  (child as ChildProcess & { output: () => string }).output = () => stderr;
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

/** The snapshot request of the job is on the wire: the camera has the connection, the answer is not sent. */
async function inFlight(engine: JobEngine, id: string, camera: HikvisionSimulator): Promise<void> {
  await until(engine, id, (j) => j.state === 'active');
  await expect.poll(() => camera.stats.connectionsOpen, { timeout: 10_000 }).toBeGreaterThan(0);
}

async function mediaFiles(dir: string): Promise<string[]> {
  return readdir(join(dir, 'media'), { recursive: true }).catch(() => [] as string[]);
}

describe.each(['sqlite', 'redis'] as const)('%s: a worker process killed in the middle of a job', (engine) => {
  it('the job completes exactly once afterwards, and its file is whole', async () => {
    const s = await setup(engine, 1500);
    const job = await s.pipeline.engine.add('snapshot', { camera: 'gate' });
    const first = worker(s.file);
    // redis: a second worker is already waiting; sqlite: a worker started after the kill (a restart).
    const second = engine === 'redis' ? worker(s.file) : undefined;
    await inFlight(s.pipeline.engine, job.id, s.camera);
    const running = await s.pipeline.engine.get(job.id);
    expect(running?.state).toBe('active');
    await kill(first);
    if (second !== undefined) {
      // Only one of the two held the job: if it was the survivor, nothing was lost either.
    }
    const restarted = second ?? worker(s.file);
    const done = await until(s.pipeline.engine, job.id, (j) => j.state === 'completed', 30_000);
    const result = done.result as { path: string; bytes: number };
    const jpeg = await readFile(result.path);
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(jpeg.length).toBe(result.bytes);
    const files = (await mediaFiles(s.dir)).filter((f) => f.endsWith('.jpg') || f.endsWith('.part'));
    expect(files).toHaveLength(1);
    expect(done.state).toBe('completed');
    await kill(restarted);
  }, 60_000);
});

describe('cancelling a running snapshot job', () => {
  it('closes its HTTP stream and leaves no file', async () => {
    const s = await setup('sqlite', 0);
    // The camera sends its answers in eight pieces a second apart: the job is mid-body when cancelled.
    s.camera.setFaults({ slowBodyMs: 1000 });
    await s.pipeline.engine.startWorkers();
    const job = await s.pipeline.engine.add('snapshot', { camera: 'gate' });
    // The picture's answer has begun (its first pieces are on the way).
    await expect.poll(() => s.camera.requestLog.some((e) => e.path.endsWith('/picture') && e.status === 200), { timeout: 15_000 }).toBe(true);
    const cancelled = await s.pipeline.engine.cancel(job.id);
    expect(cancelled?.state).toBe('cancelled');
    // The camera saw the client go away in the middle of the answer.
    await expect.poll(() => s.camera.stats.abandoned, { timeout: 5000 }).toBe(1);
    expect(await mediaFiles(s.dir)).toEqual([]);
  });
});

describe('Redis itself', () => {
  it('killed with SIGKILL and restarted loses no waiting job (AOF on)', async () => {
    const s = await setup('redis', 0);
    const jobs = await Promise.all(Array.from({ length: 5 }, () => s.pipeline.engine.add('snapshot', { camera: 'gate' })));
    await redis.kill();
    await redis.start();
    const waiting = await s.pipeline.engine.list({ state: 'waiting' });
    expect(waiting.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('down while a worker runs: the worker says so, reconnects, and loses no job', async () => {
    const s = await setup('redis', 0);
    await s.pipeline.engine.startWorkers();
    const before = await s.pipeline.engine.add('snapshot', { camera: 'gate' });
    await until(s.pipeline.engine, before.id, (j) => j.state === 'completed');
    const delayed = await s.pipeline.engine.add('snapshot', { camera: 'gate' }, { delayMs: 1500 });
    await redis.kill();
    await expect.poll(() => s.logs.some((r) => r.level === 'warn' && /redis/i.test(r.message) && /ECONNREFUSED|Connection|closed/i.test(r.message)), { timeout: 10_000 }).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.start();
    const done = await until(s.pipeline.engine, delayed.id, (j) => j.state === 'completed', 30_000);
    expect((done.result as { bytes: number }).bytes).toBeGreaterThan(0);
    const after = await s.pipeline.engine.add('snapshot', { camera: 'gate' });
    await until(s.pipeline.engine, after.id, (j) => j.state === 'completed', 20_000);
  }, 60_000);
});

describe('camflow jobs', () => {
  it('add --wait works the job and prints the file; list --json shows it completed', async () => {
    const s = await setup('sqlite', 0);
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [camflowBin, ...args, '--config', s.file], { cwd: repoRoot });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      });
    const added = await run(['jobs', 'add', 'snapshot', '--camera', 'gate', '--wait']);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/^[0-9a-f-]{36} completed: .+\.jpg\n$/);
    const listed = await run(['jobs', 'list', '--json']);
    const jobs = JSON.parse(listed.stdout) as { state: string; type: string }[];
    expect(jobs).toMatchObject([{ state: 'completed', type: 'snapshot' }]);
    const bad = await run(['jobs', 'add', 'snapshot', '--camera', 'nope', '--wait']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/✗ snapshot job .+ failed: no camera 'nope' in the config/);
    const figures = JSON.parse((await run(['jobs', 'figures', '--json'])).stdout) as { types: Record<string, { completed: number; failed: number }> };
    expect(figures.types['snapshot']).toMatchObject({ completed: 1, failed: 1 });
    const table = await run(['jobs', 'figures']);
    expect(table.stdout).toMatch(/^snapshot\s+0\s+0\s+0\s+1\s+1\s+0\s+\d+\s+\d+$/m);
    const unknown = await run(['jobs', 'add', 'nosuch']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown job type 'nosuch'/);
  });
});
