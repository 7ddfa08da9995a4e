/**
 * bench/soak: the bridge (`camflow bridge`, a real process) with 20 simulated cameras, overlays and
 * snapshots at 1 s, for `--minutes N` (default 30). Samples the bridge's RSS and open file descriptors
 * every 5 s and fits a line through the samples after the first minute (warm-up): the slopes should be
 * flat. Baseline in the same run: the values at the end of warm-up. One JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CAMERAS = 20;
const minutesArg = process.argv.indexOf('--minutes');
const MINUTES = minutesArg === -1 ? 30 : Number(process.argv[minutesArg + 1]);
const SAMPLE_MS = 5000;
const WARMUP_MS = 60_000;
const simBin = fileURLToPath(new URL('../../simulators/bin/camflow-sim.js', import.meta.url));
const camflowBin = fileURLToPath(new URL('../../mqtt-bridge/bin/camflow.js', import.meta.url));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function started(child: ChildProcess, pattern: RegExp, count: number): Promise<string[]> {
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const found = [...out.matchAll(new RegExp(pattern, 'g'))].map((m) => m[1] ?? '');
      if (found.length >= count) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

async function sample(pid: number): Promise<{ t: number; rssMB: number; fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = (await readdir(`/proc/${pid}/fd`)).length;
  return { t: performance.now(), rssMB: Math.round(rssKb / 102.4) / 10, fds };
}

/** Least-squares slope of y over t, per hour. */
function slopePerHour(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((s, p) => s + p.t, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const num = points.reduce((s, p) => s + (p.t - mt) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.t - mt) ** 2, 0);
  return den === 0 ? 0 : Math.round((num / den) * 3_600_000 * 10) / 10;
}

const dir = await mkdtemp(join(tmpdir(), 'camflow-soak-'));
const sims = spawn(process.execPath, [simBin, 'hikvision', '--count', String(CAMERAS), '--latency', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
const ports = await started(sims, /listening on http:\/\/127\.0\.0\.1:(\d+)/, CAMERAS);
const cameras = ports
  .map((port, i) => `  - id: cam${i}\n    type: hikvision\n    host: 127.0.0.1\n    port: ${port}\n    username: admin\n    password: password\n    overlays:\n      - id: 1\n        text: "{{counter}} {{now:HH:mm:ss}}"\n      - id: 2\n        text: "Outside {{value.t:0.1}}"\n`)
  .join('');
const config = join(dir, 'camflow.yaml');
await writeFile(config, `mqtt:\n  embedded: { port: 0 }\n  snapshot_interval: 1s\noverlay_sync:\n  interval: 1s\ncameras:\n${cameras}`);
const bridge = spawn(process.execPath, [camflowBin, 'bridge', '--config', config], { stdio: ['ignore', 'pipe', 'ignore'] });
await started(bridge, /(running on)/, 1);
const pid = bridge.pid ?? 0;
log(`soak: ${CAMERAS} cameras, ${MINUTES} min, bridge pid ${pid}`);
const start = performance.now();
const samples: { t: number; rssMB: number; fds: number }[] = [];
while (performance.now() - start < MINUTES * 60_000) {
  samples.push(await sample(pid));
  await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
}
const steady = samples.filter((s) => s.t - start >= WARMUP_MS);
const warm = steady[0] ?? samples.at(-1);
const last = samples.at(-1);
for (const child of [bridge, sims]) {
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
await rm(dir, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    bench: 'soak',
    cameras: CAMERAS,
    minutes: MINUTES,
    samples: samples.length,
    afterWarmup: { rssMB: warm?.rssMB, fds: warm?.fds },
    end: { rssMB: last?.rssMB, fds: last?.fds },
    maxRssMB: Math.max(...samples.map((s) => s.rssMB)),
    slopePerHour: { rssMB: slopePerHour(steady.map((s) => ({ t: s.t, y: s.rssMB }))), fds: slopePerHour(steady.map((s) => ({ t: s.t, y: s.fds }))) },
  })}\n`,
);
