/**
 * From a camera's motion event to a detection: the Hikvision simulator serves a real photo as its
 * snapshot and sends a VMD event on its alert stream; detectOnEvent takes the snapshots and reports
 * the person. Then the pipeline's job types on the same camera and pictures.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cameraConfig, configureDetection, CpuPool, createCamera, createPipeline, detectConfig, detectOnEvent, DetectionService, pipelineConfig, type CameraBase, type Detection, type FrameOptions, type GrayFrame } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { FakeOllama } from '../../helpers/fake-ollama.js';
import { until } from '../pipeline/engines.js';

const fixture = (name: string): string => new URL(`../../fixtures/detect/${name}`, import.meta.url).pathname;
const cleanup: (() => Promise<void>)[] = [];
// One worker thread (one model load) for the tests that build their own DetectionService; the job
// test uses the pipeline's own pool, as the handlers do.
const pool = new CpuPool({ threads: 1 });
afterAll(async () => {
  for (const step of cleanup.splice(0).reverse()) await step().catch(() => undefined);
  await pool.close();
});

async function setup(): Promise<{ dir: string; sim: HikvisionSimulator }> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-detect-event-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const sim = new HikvisionSimulator({ snapshot: readFileSync(fixture('empty.jpg')) });
  await sim.start();
  cleanup.push(() => sim.stop());
  return { dir, sim };
}

describe('camera event -> detection', () => {
  it('a VMD event on a simulated camera yields a person detection with an annotated snapshot', async () => {
    const { dir, sim } = await setup();
    const camera = createCamera(cameraConfig.parse({ id: 'gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' }));
    cleanup.push(() => camera.close());
    const config = detectConfig.parse({ cameras: { gate: { labels: ['person'], frames: 2, interval: '100ms' } } });
    const service = new DetectionService({ config, dataDir: join(dir, 'data'), mediaDir: join(dir, 'media'), pool });
    cleanup.push(() => service.close());
    const stop = new AbortController();
    const runs: { eventId: string; detections: Detection[] }[] = [];
    const detected = new Promise<Detection>((resolve, reject) => {
      const watching = detectOnEvent({ camera, service, signal: stop.signal, onDetection: resolve, onRun: (r) => runs.push(r), onError: reject });
      cleanup.push(async () => {
        stop.abort();
        await watching;
      });
    });
    await sim.waitForAlertStreams(1);
    sim.setSnapshot(readFileSync(fixture('people.jpg'))); // someone walked in
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    const detection = await detected;
    expect(detection).toMatchObject({ camera: 'gate', label: 'person' });
    expect(detection.eventId).toMatch(/^gate-vmd-/);
    expect(detection.score).toBeGreaterThan(0.5);
    expect(existsSync(detection.snapshot ?? '')).toBe(true);
    expect(runs).toHaveLength(1);
  });
});

/**
 * A camera that has frames but no events (what the RTSP kind gives): gray frames from a real ffmpeg
 * (a still scene, then a box that moves in), and the photo as its snapshot.
 */
function framesCamera(jpeg: Buffer): CameraBase {
  return {
    id: 'lane',
    kind: 'hikvision',
    details: async () => ({}),
    snapshot: async () => jpeg,
    async *frames({ width, height, fps, signal }: FrameOptions): AsyncIterable<GrayFrame> {
      const graph = `color=c=0x606060:s=${width}x${height}:r=${fps}[bg];color=c=white:s=40x40:r=${fps}[box];[bg][box]overlay=x='if(lt(t,1),-100,(t-1)*80)':y=60,format=gray`;
      const ffmpeg = spawn('ffmpeg', ['-v', 'error', '-re', '-f', 'lavfi', '-i', `nullsrc=s=${width}x${height}:r=${fps}`, '-filter_complex', graph, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { signal, stdio: ['ignore', 'pipe', 'ignore'] });
      ffmpeg.on('error', () => undefined);
      let pending = Buffer.alloc(0);
      try {
        for await (const chunk of ffmpeg.stdout) {
          pending = Buffer.concat([pending, chunk as Buffer]);
          while (pending.length >= width * height) {
            yield { width, height, data: pending.subarray(0, width * height), at: Date.now() };
            pending = pending.subarray(width * height);
          }
        }
      } catch (error) {
        if (!signal.aborted) throw error;
      } finally {
        ffmpeg.kill('SIGKILL');
      }
    },
    close: async () => undefined,
  };
}

describe('frame differencing -> detection', () => {
  it('motion found in a camera\'s gray frames starts a detection run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-detect-motion-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const config = detectConfig.parse({ cameras: { lane: { frames: 1, motion: { width: 320, height: 180, fps: 5 } } } });
    const service = new DetectionService({ config, dataDir: dir, mediaDir: dir, pool });
    cleanup.push(() => service.close());
    const stop = new AbortController();
    const run = new Promise<{ trigger: string; detections: Detection[] }>((resolve, reject) => {
      const watching = detectOnEvent({ camera: framesCamera(readFileSync(fixture('people.jpg'))), service, signal: stop.signal, onDetection: () => undefined, onRun: resolve, onError: reject });
      cleanup.push(async () => {
        stop.abort();
        await watching;
      });
    });
    const { trigger, detections } = await run;
    expect(trigger).toBe('motion');
    expect(detections.map((d) => d.label)).toEqual(['person']);
  });
});

describe('detect, face-enroll and describe jobs', () => {
  it('run on the pipeline: a camera, picture files, a person enrolled then named, and a description', async () => {
    const { dir, sim } = await setup();
    sim.setSnapshot(readFileSync(fixture('people.jpg')));
    const ollama = new FakeOllama({ answer: 'A man in a suit eats with chopsticks.' });
    await ollama.start();
    cleanup.push(() => ollama.stop());
    const cameras = [cameraConfig.parse({ id: 'gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' })];
    const pipeline = await createPipeline({ config: pipelineConfig.parse({ data_dir: join(dir, 'data'), media_dir: join(dir, 'media') }), cameras });
    cleanup.push(() => pipeline.close(0));
    configureDetection(pipeline.services, detectConfig.parse({ defaults: { frames: 1, describe: true }, ollama: { url: ollama.url, model: 'llava', timeout: '5s' } }));
    await pipeline.engine.startWorkers();
    const { engine } = pipeline;

    const fromCamera = await until(engine, (await engine.add('detect', { camera: 'gate' })).id, (j) => j.state === 'completed' || j.state === 'failed', 60_000);
    expect(fromCamera.error).toBeUndefined();
    const cameraResult = fromCamera.result as { detections: Detection[] };
    expect(cameraResult.detections.map((d) => d.label)).toContain('person');
    expect(cameraResult.detections[0]?.description).toBe('A man in a suit eats with chopsticks.');

    const enrolled = await until(engine, (await engine.add('face-enroll', { name: 'Vladimir', images: ['face-a-1.jpg', 'face-a-2.jpg', 'face-a-3.jpg'].map(fixture) })).id, (j) => j.state !== 'waiting' && j.state !== 'active', 60_000);
    expect(enrolled.result).toMatchObject({ name: 'Vladimir', samples: 3 });

    const named = await until(engine, (await engine.add('detect', { images: [fixture('face-a-dinner.jpg')] })).id, (j) => j.state !== 'waiting' && j.state !== 'active', 60_000);
    const person = (named.result as { detections: Detection[] }).detections.find((d) => d.label === 'person');
    expect(person?.face).toMatchObject({ name: 'Vladimir', known: true });

    const described = await until(engine, (await engine.add('describe', { image: fixture('people.jpg') })).id, (j) => j.state !== 'waiting' && j.state !== 'active', 30_000);
    expect(described.result).toMatchObject({ ok: true, text: 'A man in a suit eats with chopsticks.', model: 'llava' });

    await expect(engine.add('detect', {})).rejects.toThrow(/either camera or images/);
  }, 120_000);
});
