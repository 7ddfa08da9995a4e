/**
 * Clips as the pipeline and the CLI make them, from a real RTSP server: the `record` job (its result
 * is the "clip ready" payload, given only once the file is whole) and `camflow clip`; a Hikvision
 * camera records on its own storage for the seconds asked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipeline, parseConfig, type Pipeline } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { runCamflow } from '../../helpers/cli.js';
import { type RtspServer, startRtspServer } from '../../helpers/rtsp-server.js';

let server: RtspServer;
let dir: string;
let pipeline: Pipeline;
const hik = new HikvisionSimulator();

beforeAll(async () => {
  server = await startRtspServer();
  await hik.start();
  dir = await mkdtemp(join(tmpdir(), 'camflow-record-'));
  const config = parseConfig(
    [
      'pipeline:',
      `  data_dir: ${join(dir, 'data')}`,
      `  media_dir: ${join(dir, 'media')}`,
      'cameras:',
      `  - { id: door, type: rtsp, url: "${server.url}", username: admin, password: "${server.password}" }`,
      `  - { id: hik, type: hikvision, host: 127.0.0.1, port: ${hik.port}, username: admin, password: password }`,
    ].join('\n'),
  );
  pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras });
  await pipeline.engine.startWorkers();
  await writeFile(join(dir, 'camflow.yaml'), `pipeline:\n  media_dir: media\ncameras:\n  - { id: door, type: rtsp, url: "${server.url}", username: admin, password: "\${DOOR_PASSWORD}" }\n`);
}, 30_000);
afterAll(async () => {
  await pipeline?.close(2000);
  await server?.stop();
  await hik.stop();
  await rm(dir, { recursive: true, force: true });
});

async function finished(id: string): Promise<{ state: string; result?: Record<string, unknown>; error?: string }> {
  for (;;) {
    const job = await pipeline.engine.get(id);
    if (job !== undefined && ['completed', 'failed', 'cancelled'].includes(job.state)) return job as { state: string; result?: Record<string, unknown> };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the record job', () => {
  it('records an RTSP clip into the media folder and reports it only when whole', async () => {
    const job = await pipeline.engine.add('record', { camera: 'door', seconds: 2 });
    const done = await finished(job.id);
    expect(done.state, done.error).toBe('completed');
    const result = done.result as { camera: string; path: string; start: string; end: string; duration_ms: number; bytes: number };
    expect(result.camera).toBe('door');
    expect(result.path.startsWith(join(dir, 'media', 'clips', 'door'))).toBe(true);
    expect(existsSync(result.path)).toBe(true);
    expect(existsSync(`${result.path}.part`)).toBe(false);
    expect(result.duration_ms).toBeGreaterThan(1500);
    expect(Date.parse(result.end) - Date.parse(result.start)).toBe(result.duration_ms);
    const codec = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', result.path]).toString().trim();
    expect(codec).toBe('h264');
  }, 30_000);

  it('records on a Hikvision camera for the seconds asked', async () => {
    const job = await pipeline.engine.add('record', { camera: 'hik', seconds: 1 });
    const done = await finished(job.id);
    expect(done.state, done.error).toBe('completed');
    expect(done.result).toMatchObject({ camera: 'hik', camera_side: true });
    expect((done.result as { duration_ms: number }).duration_ms).toBeGreaterThanOrEqual(1000);
  }, 30_000);
});

describe('camflow clip', () => {
  it('writes an MP4 of the asked length and prints it as JSON', async () => {
    const out = join(dir, 'door.mp4');
    const result = await runCamflow(['clip', '--config', join(dir, 'camflow.yaml'), '--camera', 'door', '--seconds', '2', '-o', out, '--json'], {
      env: { DOOR_PASSWORD: server.password },
      timeoutMs: 30_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const printed = JSON.parse(result.stdout) as { path: string; duration_ms: number };
    expect(printed.path).toBe(out);
    expect(printed.duration_ms).toBeGreaterThan(1500);
    expect(result.stdout + result.stderr).not.toContain(server.password);
  }, 40_000);

  it('checks its arguments before opening the stream, and says a wrong password in one line', async () => {
    const bad = await runCamflow(['clip', '--config', join(dir, 'camflow.yaml'), '--camera', 'door', '--seconds', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--seconds expects a whole number');
    const wrong = await runCamflow(['clip', '--config', join(dir, 'camflow.yaml'), '--camera', 'door', '--seconds', '1', '-o', join(dir, 'x.mp4')], { env: { DOOR_PASSWORD: 'wrong' }, timeoutMs: 30_000 });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toContain("camera 'door'");
    expect(wrong.stderr).toContain('refused the username or password');
    expect(existsSync(join(dir, 'x.mp4.part'))).toBe(false);
  }, 40_000);
});
