/**
 * bench/homebridge: a snapshot request over HAP (`POST /resource`, the Home app's tile and rich
 * notification) answered by homebridge-camflow in a real Homebridge, from its cache; against the
 * popular plugins' way, one ffmpeg run per request on the camera's snapshot URL
 * (`ffmpeg -i <url> -frames:v 1 -f image2 -`, what homebridge-camera-ffmpeg does with
 * stillImageSource), measured in the same run against the same simulated camera (20 ms latency).
 * The baseline is timed without Homebridge in front of it, which only flatters it. One JSON line.
 */
import { spawn } from 'node:child_process';
import { HikvisionSimulator } from '@camflow/simulators';
import hapController from 'hap-controller';
import { ffmpegSnapshotArgs } from 'homebridge-camflow';
import { PIN, startHomebridge } from '../../test/homebridge/harness.ts';

const CAMFLOW_REQUESTS = 100;
const FFMPEG_REQUESTS = 20;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function percentile(sorted: number[], p: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! * 10) / 10;
}

function summary(ms: number[]): { p50: number; p95: number; n: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), n: sorted.length };
}

function ffmpegSnapshot(url: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ffmpegSnapshotArgs(url), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`ffmpeg exited ${code}: ${stderr.trim()}`))));
  });
}

const isJpeg = (b: Buffer): boolean => b.length > 4 && b[0] === 0xff && b[1] === 0xd8;

// Basic-only firmware: ffmpeg's HTTP digest is refused by the simulator's strict digest (401), so
// both sides log in with Basic to the same camera.
const sim = new HikvisionSimulator({ latencyMs: 20, basicOnly: true });
await sim.start();
const hb = await startHomebridge({
  cameras: [{ id: 'bench', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', allow_basic_over_http: true }],
  snapshot_interval: 30,
});
const client = new hapController.HttpClient('0E:11:22:33:44:55', '127.0.0.1', hb.port);
try {
  await client.pairSetup(PIN);
  await hb.waitFor(/\[bench\] camera answers/);
  const { accessories } = (await client.getAccessories()) as unknown as { accessories: { aid: number }[] };
  const aid = accessories[accessories.length - 1]!.aid;
  const camflow: number[] = [];
  for (let i = 0; i < CAMFLOW_REQUESTS; i++) {
    const started = performance.now();
    const jpeg = await client.getImage(640, 360, aid);
    camflow.push(performance.now() - started);
    if (!isJpeg(jpeg)) throw new Error('camflow: not a JPEG');
  }
  const url = `http://admin:password@127.0.0.1:${sim.port}/ISAPI/Streaming/channels/101/picture`;
  const baseline: number[] = [];
  for (let i = 0; i < FFMPEG_REQUESTS; i++) {
    const started = performance.now();
    const jpeg = await ffmpegSnapshot(url);
    baseline.push(performance.now() - started);
    if (!isJpeg(jpeg)) throw new Error('ffmpeg: not a JPEG');
  }
  const c = summary(camflow);
  const b = summary(baseline);
  log(`camflow (cache, over HAP): p50 ${c.p50} ms p95 ${c.p95} ms; ffmpeg per request: p50 ${b.p50} ms p95 ${b.p95} ms`);
  console.log(
    JSON.stringify({
      bench: 'homebridge',
      camflow: { p50Ms: c.p50, p95Ms: c.p95, requests: c.n },
      ffmpegPerRequest: { p50Ms: b.p50, p95Ms: b.p95, requests: b.n },
      speedupP50: Math.round((b.p50 / c.p50) * 10) / 10,
    }),
  );
} finally {
  await client.close();
  await hb.stop();
  await sim.stop();
}
