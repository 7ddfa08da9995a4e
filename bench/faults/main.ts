/**
 * bench/faults: one of five cameras freezes (its simulator process SIGSTOPped) for a while, then
 * thaws (SIGCONT). Figures: the four healthy cameras' own time per cycle and the cycle length, before
 * the freeze (the baseline, same run), during it and after it; how long the frozen camera took to be
 * reported failing and to come back. Overlay sync at a 500 ms interval, 1 s timeout. One JSON line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type CycleReport, HikvisionClient, OverlaySync } from '@camflow/core';

const simBin = fileURLToPath(new URL('../../simulators/bin/camflow-sim.js', import.meta.url));
const PHASE_CYCLES = 10;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function sim(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [simBin, 'hikvision', '--latency', '5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  const port = await new Promise<number>((resolve) => {
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /:(\d+)\s/.exec(out);
      if (m?.[1] !== undefined) resolve(Number(m[1]));
    });
  });
  return { child, port };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.floor(sorted.length / 2)] ?? 0);
}

function phase(reports: CycleReport[]): { healthyCameraMsP50: number; healthyCameraMsMax: number; cycleMsP50: number } {
  const healthy = reports.flatMap((r) => ['cam0', 'cam1', 'cam3', 'cam4'].map((id) => r.cameras[id]).filter((ms): ms is number => ms !== undefined));
  return { healthyCameraMsP50: median(healthy), healthyCameraMsMax: Math.max(0, ...healthy), cycleMsP50: Math.round(median(reports.map((r) => r.durationMs))) };
}

const sims = await Promise.all(Array.from({ length: 5 }, () => sim()));
const sync = new OverlaySync({
  intervalMs: 500,
  timeoutMs: 1000,
  logUpdates: false,
  cameras: sims.map((s, i) => ({
    id: `cam${i}`,
    overlays: [{ id: 1, text: '{{counter}} {{now:HH:mm:ss}}' }],
    createTarget: () => new HikvisionClient({ host: '127.0.0.1', port: s.port, username: 'admin', password: 'password', timeoutMs: 1000, name: `cam${i}` }),
  })),
});
const reports: CycleReport[] = [];
let failingAt: number | undefined;
let backAt: number | undefined;
sync.on('cycle', (r) => void reports.push(r));
sync.on('camera-state', (c) => {
  if (c.cameraId !== 'cam2') return;
  if (c.state === 'backoff' && failingAt === undefined) failingAt = performance.now();
  if (c.state === 'ok' && failingAt !== undefined) backAt = performance.now();
});
const cycles = async (n: number): Promise<CycleReport[]> => {
  const start = reports.length;
  while (reports.length < start + n) await new Promise((resolve) => setTimeout(resolve, 50));
  return reports.slice(start, start + n);
};
sync.start();
await cycles(2); // first contact
log('before');
const before = phase(await cycles(PHASE_CYCLES));
log('frozen');
const frozenAt = performance.now();
sims[2]?.child.kill('SIGSTOP');
const during = phase(await cycles(PHASE_CYCLES));
const thawedAt = performance.now();
sims[2]?.child.kill('SIGCONT');
log('thawed');
while (backAt === undefined && performance.now() - thawedAt < 60_000) await new Promise((resolve) => setTimeout(resolve, 50));
const after = phase(await cycles(PHASE_CYCLES));
await sync.stop();
for (const s of sims) {
  const exited = once(s.child, 'exit');
  s.child.kill('SIGKILL');
  await exited;
}
process.stdout.write(
  `${JSON.stringify({
    bench: 'faults',
    scenario: 'frozen camera (SIGSTOP) among 5, interval 500 ms, timeout 1 s',
    before,
    during,
    after,
    frozenReportedFailingAfterMs: failingAt === undefined ? null : Math.round(failingAt - frozenAt),
    backAfterThawMs: backAt === undefined ? null : Math.round(backAt - thawedAt),
  })}\n`,
);
