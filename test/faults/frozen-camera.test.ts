/**
 * One of five cameras freezes (its simulator process SIGSTOPped: the port is open, nothing answers).
 * The other four keep being written every cycle, the frozen one is reported failing, and after
 * SIGCONT it comes back by itself. (Cycle times under this fault: bench/faults.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type CameraStateChange, type CycleReport, HikvisionClient, OverlaySync } from '@camflow/core';
import { hikvisionProcess, type SimProcess } from '../helpers/sim-process.js';

const sims: SimProcess[] = [];
let sync: OverlaySync | undefined;
afterEach(async () => {
  await sync?.stop();
  sync = undefined;
  await Promise.all(sims.splice(0).map((sim) => sim.stop()));
});

describe('a frozen camera among five', () => {
  it('does not hold up the other four, goes failing, and comes back after SIGCONT', async () => {
    for (let i = 0; i < 5; i++) sims.push(await hikvisionProcess());
    const ids = sims.map((_, i) => `cam${i}`);
    sync = new OverlaySync({
      intervalMs: 300,
      timeoutMs: 800,
      backoff: { initialMs: 300, maxMs: 1000 },
      logUpdates: false,
      cameras: sims.map((sim, i) => ({
        id: ids[i] ?? '',
        overlays: [{ id: 1, text: '{{counter}}' }],
        createTarget: () => new HikvisionClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', timeoutMs: 800, name: ids[i] ?? '' }),
      })),
    });
    const reports: CycleReport[] = [];
    const states: CameraStateChange[] = [];
    sync.on('cycle', (report) => void reports.push(report));
    sync.on('camera-state', (change) => void states.push(change));
    sync.start();
    await expect.poll(() => reports.filter((r) => r.updated === 5).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);

    const frozen = sims[2];
    frozen?.child.kill('SIGSTOP');
    const stoppedAt = reports.length;
    await expect.poll(() => states.some((s) => s.cameraId === 'cam2' && s.state === 'backoff'), { timeout: 15_000 }).toBe(true);
    // Cycles go on, and in each the four others are written.
    await expect.poll(() => reports.length - stoppedAt, { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
    const during = reports.slice(stoppedAt + 1);
    for (const report of during) {
      for (const id of ['cam0', 'cam1', 'cam3', 'cam4']) expect(Object.keys(report.cameras)).toContain(id);
    }
    expect(during.some((r) => r.errors['cam2'] !== undefined)).toBe(true);
    expect(states.find((s) => s.cameraId === 'cam2' && s.state === 'backoff')?.reason).toMatch(/no answer within 800 ms|timed out/i);

    frozen?.child.kill('SIGCONT');
    await expect.poll(() => states.some((s) => s.cameraId === 'cam2' && s.state === 'ok'), { timeout: 20_000 }).toBe(true);
    const afterIndex = reports.length;
    await expect.poll(() => reports.slice(afterIndex).some((r) => Object.keys(r.errors).length === 0 && Object.keys(r.cameras).length === 5), { timeout: 15_000 }).toBe(true);
  }, 90_000);
});
