/**
 * bench/detect: what object detection costs and what the worker pool buys.
 * 1. Frames per second at 640x360 (objects, centernet on tfjs-wasm) with the CpuPool on 2 threads,
 *    against one detector on the main thread (the baseline, same frames, same run).
 * 2. Event-loop delay p99 of the main thread during both (target <= 20 ms with the pool).
 * 3. Memory per worker thread (RSS growth after the pool's threads loaded the model, per thread).
 * 4. Camera event -> detection latency p50/p95: a VMD event from the Hikvision simulator (serving a
 *    640x360 photo) through detectOnEvent with one snapshot per event: snapshot over digest auth,
 *    objects and faces, the annotated JPEG drawn, encoded and written.
 * Prints one JSON line. Progress on stderr.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cameraConfig, CpuPool, createCamera, DetectionService, detectConfig, detectOnEvent, Detector } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const POOL_FRAMES = Number(process.env.DETECT_POOL_FRAMES ?? 40);
const MAIN_FRAMES = Number(process.env.DETECT_MAIN_FRAMES ?? 12);
const EVENTS = Number(process.env.DETECT_EVENTS ?? 20);
const THREADS = 2;

function frame640(name: string): Buffer {
  const file = fileURLToPath(new URL(`../../test/fixtures/detect/${name}`, import.meta.url));
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', 'scale=640:360', '-q:v', '4', '-f', 'image2pipe', '-c:v', 'mjpeg', '-']);
}

const frames = ['people.jpg', 'group.jpg', 'empty.jpg'].map(frame640);
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

/**
 * Event-loop delay as a 5 ms interval timer sees it (how late each tick fires). On the main thread,
 * human's awaits resolve as microtasks only, so no timer fires during the whole run and
 * monitorEventLoopDelay has no sample at all; the last, never-fired tick is counted at stop().
 */
function lagSampler(): { stop: () => number[] } {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - 5));
    last = now;
  }, 5);
  return {
    stop: () => {
      clearInterval(timer);
      // The tick that never came: a main thread held from the last tick until now.
      lags.push(Math.max(0, performance.now() - last - 5));
      return lags;
    },
  };
}
const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;

/** `count` frames through `detector` with `inFlight` at once; fps and the event-loop p99 meanwhile. */
async function measure(detector: Detector, count: number, inFlight: number): Promise<{ fps: number; eventLoopP99Ms: number; eventLoopMaxMs: number }> {
  const delay = lagSampler();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const jpeg = frames[next++ % frames.length] as Buffer;
        await detector.analyze(jpeg, { objects: true, faces: false });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const lags = delay.stop();
  return { fps: Math.round((count / seconds) * 10) / 10, eventLoopP99Ms: Math.round(percentile(lags, 99) * 10) / 10, eventLoopMaxMs: Math.round(Math.max(0, ...lags) * 10) / 10 };
}

async function eventLatency(pool: CpuPool, dir: string): Promise<{ p50Ms: number; p95Ms: number; events: number }> {
  const sim = new HikvisionSimulator({ snapshot: frames[0] as Buffer });
  await sim.start();
  const camera = createCamera(cameraConfig.parse({ id: 'gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' }));
  const service = new DetectionService({ config: detectConfig.parse({ cameras: { gate: { frames: 1, labels: ['person'] } } }), dataDir: dir, mediaDir: dir, pool });
  const stop = new AbortController();
  let onRun: ((ms: number) => void) | undefined;
  const watching = detectOnEvent({ camera, service, signal: stop.signal, onDetection: () => undefined, onRun: (r) => onRun?.(r.ms) });
  await sim.waitForAlertStreams(1);
  const latencies: number[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const started = performance.now();
    const done = new Promise<void>((resolve) => (onRun = () => resolve()));
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    await done;
    latencies.push(performance.now() - started);
    sim.triggerEvent({ type: 'VMD', state: 'inactive' });
  }
  stop.abort();
  await watching;
  await camera.close();
  await sim.stop();
  return { p50Ms: Math.round(percentile(latencies, 50)), p95Ms: Math.round(percentile(latencies, 95)), events: EVENTS };
}

const dir = await mkdtemp(join(tmpdir(), 'camflow-bench-detect-'));
const rssStart = process.memoryUsage.rss();
const pool = new CpuPool({ threads: THREADS, minThreads: THREADS });
const pooled = new Detector({ pool });
log(`warming ${THREADS} worker threads`);
await Promise.all(Array.from({ length: THREADS * 2 }, () => pooled.analyze(frames[0] as Buffer, { objects: true, faces: false })));
const rssPool = process.memoryUsage.rss();
log(`pool: ${POOL_FRAMES} frames`);
const poolFigures = await measure(pooled, POOL_FRAMES, THREADS * 2);
log(`camera event -> detection: ${EVENTS} events`);
const latency = await eventLatency(pool, dir);
await pool.close();

const inline = new Detector();
log('main thread: warming');
await inline.analyze(frames[0] as Buffer, { objects: true, faces: false });
log(`main thread: ${MAIN_FRAMES} frames`);
const mainFigures = await measure(inline, MAIN_FRAMES, 1);
await rm(dir, { recursive: true, force: true });

process.stdout.write(
  `${JSON.stringify({
    bench: 'detect',
    frame: '640x360',
    model: 'centernet (human 3.3.6, tfjs-wasm 4.22.0)',
    pool: { threads: THREADS, ...poolFigures, memoryPerWorkerMb: mb((rssPool - rssStart) / THREADS) },
    mainThread: mainFigures,
    speedup: Math.round((poolFigures.fps / mainFigures.fps) * 100) / 100,
    eventToDetection: latency,
    targets: { fps: 9, eventLoopP99Ms: 20 },
    loadavg: (await import('node:os')).loadavg().map((v) => Math.round(v * 10) / 10),
  })}\n`,
);
