/**
 * Ring recordings as `download` jobs against the fake Ring cloud: found by Ring's video search,
 * queued once, fetched through a fresh signed URL, byte-exact, skipped when on disk, a .part resumed
 * with Range; and `camflow recordings download` from a real process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, type DownloadResult, loadConfig, type Pipeline, queueRecordingDownloads, ringLogin } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';
import { runCamflow } from '../../helpers/cli.js';
import { settled } from '../recordings/rig.js';

const run = promisify(execFile);
const FRONT = 101;
let clip: Buffer;
let dir: string;
let cloud: FakeRingCloud;
let base: string;
let pipeline: Pipeline | undefined;

beforeAll(async () => {
  // A real H.264 MP4, as Ring stores them (2 s of test pattern).
  const file = join(await mkdtemp(join(tmpdir(), 'camflow-ring-clip-')), 'clip.mp4');
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-movflags', '+faststart', file]);
  clip = await readFile(file);
  await rm(dirname(file), { recursive: true, force: true });
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-rec-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'pw-secret' });
  base = await cloud.start();
  process.env.CAMFLOW_RING_API_BASE = base;
  cloud.devices.add({ id: FRONT, description: 'Front Door', doorbell: true, snapshot: Buffer.from([0xff, 0xd8, 0xff, 0xd9]) });
  await ringLogin({ email: 'me@example.com', password: 'pw-secret', dataDir: join(dir, 'data'), apiBase: base, askCode: () => Promise.reject(new Error('no 2FA')) });
  await writeFile(
    join(dir, 'camflow.yaml'),
    `cameras:\n  - id: front\n    type: ring\n    device: Front Door\n    push: false\npipeline:\n  data_dir: data\n  media_dir: media\n  retry_delay: 50ms\n`,
  );
});
afterEach(async () => {
  await pipeline?.close(0);
  pipeline = undefined;
  await cloud.stop();
  delete process.env.CAMFLOW_RING_API_BASE;
  await rm(dir, { recursive: true, force: true });
});

async function startPipeline(): Promise<Pipeline> {
  const config = await loadConfig(join(dir, 'camflow.yaml'));
  pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, baseDir: dir });
  await pipeline.engine.startWorkers();
  return pipeline;
}

const HOUR = 3_600_000;

describe('Ring recordings', () => {
  it('downloads each recording of the span once, whole and byte-exact, and skips it the next time', async () => {
    const now = Date.now();
    const a = cloud.devices.addEvent(FRONT, { kind: 'ding', at: new Date(now - 3 * HOUR), recording: clip, duration: 2 });
    const b = cloud.devices.addEvent(FRONT, { kind: 'motion', at: new Date(now - 2 * HOUR), recording: clip, duration: 2 });
    cloud.devices.addEvent(FRONT, { kind: 'motion', at: new Date(now - 30 * HOUR), recording: clip }); // outside the span
    const p = await startPipeline();
    const span = { from: new Date(now - 8 * HOUR), to: new Date(now) };
    const queued = await queueRecordingDownloads(p, 'front', span);
    expect(queued.matches.map((m) => m.playbackURI)).toEqual([`ring:${a.id}`, `ring:${b.id}`]);
    const done = await Promise.all(queued.jobs.map((j) => settled(p.engine, j.id)));
    expect(done.map((j) => j.state)).toEqual(['completed', 'completed']);
    for (const job of done) {
      const result = job.result as DownloadResult;
      expect(result).toMatchObject({ camera: 'front', bytes: clip.length, duration_ms: 2000 });
      expect((await readFile(result.path)).equals(clip)).toBe(true);
      expect(result.path.startsWith(join(dir, 'media', 'recordings', 'front'))).toBe(true);
    }
    // Queued again: the same jobs (dedupe); added as new jobs: skipped, nothing fetched.
    expect((await queueRecordingDownloads(p, 'front', span)).added).toBe(0);
    const fetched = cloud.devices.mediaRanges.length;
    const again = await settled(p.engine, (await p.engine.add('download', done[0]!.params)).id);
    expect(again.result).toMatchObject({ skipped: true });
    expect(cloud.devices.mediaRanges.length).toBe(fetched);
  });

  it('resumes a broken download from its .part with a Range request', async () => {
    const now = Date.now();
    cloud.devices.addEvent(FRONT, { kind: 'ding', at: new Date(now - HOUR), recording: clip, duration: 2 });
    const p = await startPipeline();
    // Download once to learn where it goes, then leave half of it there as a .part and run the job again.
    const queued = await queueRecordingDownloads(p, 'front', { from: new Date(now - 2 * HOUR), to: new Date(now) });
    const result = (await settled(p.engine, queued.jobs[0]!.id)).result as DownloadResult;
    await rm(result.path);
    const half = Math.floor(clip.length / 2);
    await mkdir(dirname(result.path), { recursive: true });
    await writeFile(`${result.path}.part`, clip.subarray(0, half));
    const resumed = await settled(p.engine, (await p.engine.add('download', queued.jobs[0]!.params)).id);
    expect(resumed.state).toBe('completed');
    expect((await readFile(result.path)).equals(clip)).toBe(true);
    expect(cloud.devices.mediaRanges.at(-1)).toBe(`${half}-${clip.length - 1}`);
    await expect(stat(`${result.path}.part`)).rejects.toThrow();
  });

  it('camflow recordings download --camera front --last 8h, from a real process', async () => {
    const now = Date.now();
    cloud.devices.addEvent(FRONT, { kind: 'ding', at: new Date(now - HOUR), recording: clip, duration: 2 });
    const config = join(dir, 'camflow.yaml');
    const search = await runCamflow(['recordings', 'search', '-c', config, '--camera', 'front', '--last', '8h'], { env: { CAMFLOW_RING_API_BASE: base } });
    expect(search.code, search.stderr).toBe(0);
    expect(search.stderr).toMatch(/1 recording on front/);
    const download = await runCamflow(['recordings', 'download', '-c', config, '--camera', 'front', '--last', '8h', '--wait', '--json'], { env: { CAMFLOW_RING_API_BASE: base }, timeoutMs: 60_000 });
    expect(download.code, download.stderr).toBe(0);
    const jobs = JSON.parse(download.stdout.trim().split('\n').at(-1) ?? '[]') as { state: string; result: DownloadResult }[];
    expect(jobs.map((j) => j.state)).toEqual(['completed']);
    expect((await readFile(jobs[0]!.result.path)).equals(clip)).toBe(true);
    expect(download.stdout + download.stderr).not.toMatch(/rt-[0-9a-f]{24}|at-[0-9a-f]{24}/);
  });
});
