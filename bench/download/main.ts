/**
 * bench/download: fetching an NVR's recordings. The simulated NVR (strict digest) holds N recordings
 * and serves each download at a set bandwidth per connection after a set first-byte wait (an NVR
 * seeking on its disks), with added latency on every request.
 * - baseline: core's HikvisionClient.downloadRecording in a plain loop, one recording after another
 *   on one connection (how the popular scripts do it);
 * - camflow: `queueRecordingDownloads` + `download` jobs through the pipeline (sqlite engine), two
 *   parallel streams per NVR (the default per-camera limit).
 * Both in the same run, against the same simulator; the event-loop delay p99 of this process during
 * each. Options: --recordings N (40) --bytes B per recording (1000000) --rate B/s per connection
 * (1000000) --first-byte MS (300) --latency MS per request (20) --streams N (2).
 * Prints one JSON line.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createPipeline, HikvisionClient, loadConfig, queueRecordingDownloads, type Job } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';

const log = (line: string): void => void process.stderr.write(`${line}\n`);

const { values } = parseArgs({
  options: {
    recordings: { type: 'string', default: '40' },
    bytes: { type: 'string', default: '1000000' },
    rate: { type: 'string', default: '1000000' },
    'first-byte': { type: 'string', default: '300' },
    latency: { type: 'string', default: '20' },
    streams: { type: 'string', default: '2' },
  },
});
const RECORDINGS = Number(values.recordings);
const BYTES = Number(values.bytes);
const RATE = Number(values.rate);
const FIRST_BYTE_MS = Number(values['first-byte']);
const LATENCY_MS = Number(values.latency);
const STREAMS = Number(values.streams);
const SPAN = { from: new Date('2024-04-01T00:00:00Z'), to: new Date('2024-05-02T00:00:00Z') };

interface Run {
  seconds: number;
  mb_per_s: number;
  event_loop_p99_ms: number;
  max_streams: number;
}

async function measure(sim: HikvisionSimulator, work: () => Promise<number>): Promise<Run> {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const maxBefore = sim.stats.downloadsMaxOpen;
  sim.stats.downloadsMaxOpen = 0;
  loop.enable();
  const started = performance.now();
  const bytes = await work();
  const seconds = (performance.now() - started) / 1000;
  loop.disable();
  const max = sim.stats.downloadsMaxOpen;
  sim.stats.downloadsMaxOpen = Math.max(maxBefore, max);
  return {
    seconds: round(seconds),
    mb_per_s: round(bytes / 1e6 / seconds),
    event_loop_p99_ms: round(loop.percentile(99) / 1e6),
    max_streams: max,
  };
}

/** One recording after another with core's client, as a download script does. */
async function baseline(sim: HikvisionSimulator, dir: string): Promise<Run> {
  const client = new HikvisionClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', timeoutMs: 30_000, connections: 1 });
  try {
    return await measure(sim, async () => {
      const matches = await client.searchRecordings(SPAN);
      let bytes = 0;
      for (const [i, m] of matches.entries()) bytes += (await client.downloadRecording(m.playbackURI, join(dir, `${i}.mpg`))).bytes;
      if (matches.length !== RECORDINGS) throw new Error(`baseline found ${matches.length} recordings, not ${RECORDINGS}`);
      return bytes;
    });
  } finally {
    await client.close();
  }
}

/** The same recordings as download jobs through camflow's pipeline. */
async function camflow(sim: HikvisionSimulator, dir: string): Promise<Run> {
  const file = join(dir, 'camflow.yaml');
  await writeFile(
    file,
    `cameras:\n  - id: nvr\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: password\n    time_zone: utc\n    timeout: 30s\n` +
      `pipeline:\n  data_dir: data\n  media_dir: media\n  per_camera: { download: ${STREAMS} }\n  concurrency: { download: ${Math.max(4, STREAMS)} }\n`,
  );
  const config = await loadConfig(file);
  const pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, baseDir: dir });
  try {
    return await measure(sim, async () => {
      const finished: Job[] = [];
      const all = new Promise<void>((resolve) => {
        const done = (job: Job): void => {
          finished.push(job);
          if (finished.length === RECORDINGS) resolve();
        };
        pipeline.engine.on('completed', done);
        pipeline.engine.on('failed', done);
      });
      await pipeline.engine.startWorkers();
      const queued = await queueRecordingDownloads(pipeline, 'nvr', SPAN);
      if (queued.jobs.length !== RECORDINGS) throw new Error(`camflow queued ${queued.jobs.length} recordings, not ${RECORDINGS}`);
      await all;
      const failed = finished.filter((j) => j.state !== 'completed');
      if (failed.length > 0) throw new Error(`${failed.length} downloads failed: ${failed[0]?.error ?? ''}`);
      return finished.reduce((sum, j) => sum + (j.result as { bytes: number }).bytes, 0);
    });
  } finally {
    await pipeline.close(0);
  }
}

async function totalBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.mp4')) sum += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return sum;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

const sim = new HikvisionSimulator({
  recordingCount: RECORDINGS,
  recordingBytes: BYTES,
  nvr: true,
  latencyMs: LATENCY_MS,
  downloadBytesPerSecond: RATE,
  downloadFirstByteMs: FIRST_BYTE_MS,
});
await sim.start();
const dir = await mkdtemp(join(tmpdir(), 'camflow-bench-download-'));
try {
  log(`${RECORDINGS} recordings of ${BYTES} bytes at ${RATE} B/s per connection, first byte after ${FIRST_BYTE_MS} ms, ${LATENCY_MS} ms per request`);
  log('baseline: one at a time with HikvisionClient.downloadRecording ...');
  const base = await baseline(sim, dir);
  log(`  ${base.seconds} s`);
  log(`camflow: download jobs, ${STREAMS} streams ...`);
  const ours = await camflow(sim, dir);
  log(`  ${ours.seconds} s`);
  const onDisk = await totalBytes(join(dir, 'media'));
  if (onDisk !== RECORDINGS * BYTES) throw new Error(`camflow left ${onDisk} bytes on disk, expected ${RECORDINGS * BYTES}`);
  process.stdout.write(
    `${JSON.stringify({
      bench: 'download',
      recordings: RECORDINGS,
      bytes_each: BYTES,
      rate_per_connection: RATE,
      first_byte_ms: FIRST_BYTE_MS,
      latency_ms: LATENCY_MS,
      camflow: { streams: STREAMS, ...ours },
      baseline: base,
      speedup: round(base.seconds / ours.seconds),
    })}\n`,
  );
} finally {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
}
