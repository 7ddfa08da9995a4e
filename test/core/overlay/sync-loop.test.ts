import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CycleReport } from '@camflow/core';
import { collectEvents, Rig, waitFor } from './helpers.js';

const rig = new Rig();
afterEach(() => rig.cleanup());

const OVERRUN = /^Sync cycle (\d+) completed in (\d+\.\d{3})s\. Sync took (\d+\.\d{3})s longer than interval \(0\.1s\)\. Starting next cycle immediately\.$/;

function puts(simulator: { requestLog: readonly { method: string; status: number; at: number }[] }): number[] {
  return simulator.requestLog.filter((entry) => entry.method === 'PUT' && entry.status === 200).map((entry) => entry.at);
}

/** Cycles never overlap: each starts after the previous one completed. */
function expectNoOverlap(reports: readonly CycleReport[]): void {
  for (let i = 1; i < reports.length; i++) {
    const previous = reports[i - 1]!;
    const current = reports[i]!;
    expect(current.cycle).toBe(previous.cycle + 1);
    // startedAt has millisecond resolution; allow the rounding of one millisecond.
    expect(current.startedAt.getTime()).toBeGreaterThanOrEqual(previous.startedAt.getTime() + Math.floor(previous.durationMs) - 1);
  }
}

describe('OverlaySync loop', () => {
  it('logs an overrun the way users know it and starts the next cycle at once, never overlapping', async () => {
    const camera = await rig.camera({ latencyMs: 150 });
    const sync = rig.engine({ intervalMs: 100, cameras: [rig.spec('back', camera, [{ id: 1, text: '{{counter}}' }])] });
    const reports = collectEvents(sync, 'cycle', 3);
    sync.start();
    const cycles = await reports;
    await sync.stop();
    expectNoOverlap(cycles);
    const overruns = rig.messages('warn').filter((m) => OVERRUN.test(m));
    expect(overruns.length).toBeGreaterThanOrEqual(2);
    for (const message of overruns) {
      const [, cycle, took, over] = OVERRUN.exec(message)!;
      const report = cycles.find((c) => c.cycle === Number(cycle));
      if (report === undefined) continue;
      expect(took).toBe((report.durationMs / 1000).toFixed(3));
      expect(over).toBe(((report.durationMs - 100) / 1000).toFixed(3));
      expect(report.overrunMs).toBeGreaterThan(0);
    }
    // Every cycle wrote the new counter: the camera was never skipped as busy.
    expect(cycles.every((c) => c.updated === 1 && Object.keys(c.skipped).length === 0)).toBe(true);
  });

  it('does not let a slow or a dead camera delay the writes of the others', async () => {
    const healthy = await rig.camera();
    const slow = await rig.camera({ latencyMs: 200 });
    const dead = await rig.camera({ latencyMs: 60_000 });
    const overlays = [{ id: 1, text: '{{counter}}' }];
    const sync = rig.engine({
      intervalMs: 100,
      timeoutMs: 700,
      backoff: { initialMs: 5_000, maxMs: 5_000 },
      cameras: [rig.spec('healthy', healthy, overlays), rig.spec('slow', slow, overlays), rig.spec('dead', dead, overlays)],
    });
    const reports: CycleReport[] = [];
    sync.on('cycle', (report) => void reports.push(report));
    // A late camera's writes are reported through overlay events, with their own timing.
    const slowWrites: number[] = [];
    sync.on('overlay', (outcome) => void (outcome.cameraId === 'slow' && outcome.status === 'updated' && slowWrites.push(outcome.ms)));
    const deadBackoff = waitFor(sync, 'camera-state', (change) => change.cameraId === 'dead' && change.state === 'backoff');
    const slowWroteTwice = waitFor(sync, 'cycle', () => puts(slow).length >= 2);
    sync.start();
    await deadBackoff;
    await slowWroteTwice;
    await sync.stop();

    expectNoOverlap(reports);
    const withHealthy = reports.filter((r) => r.cameras['healthy'] !== undefined);
    // The healthy camera took part in every cycle, and by the engine's own timings its work never took
    // as long as one write to the slow camera.
    expect(withHealthy.length).toBe(reports.length);
    expect(slowWrites.length).toBeGreaterThan(0);
    expect(Math.max(...withHealthy.map((r) => r.cameras['healthy']!))).toBeLessThan(Math.min(...slowWrites));
    // The slow and the dead camera were left to finish on their own, and sat out cycles while busy.
    expect(reports.some((r) => r.late.includes('slow'))).toBe(true);
    expect(reports.some((r) => r.skipped['slow'] === 'busy')).toBe(true);
    expect(reports.some((r) => r.late.includes('dead'))).toBe(true);
    expect(reports.some((r) => r.skipped['dead'] === 'backoff')).toBe(true);
    // From the cameras' side: between the slow camera's two writes the healthy camera got several.
    const [firstSlow, secondSlow] = puts(slow);
    const healthyBetween = puts(healthy).filter((at) => at > firstSlow! && at < secondSlow!);
    expect(healthyBetween.length).toBeGreaterThanOrEqual(2);
    expect(puts(healthy).length).toBeGreaterThanOrEqual(reports.length - 1);
    expect(puts(dead)).toEqual([]);
  });

  it('stop() aborts requests in flight, releases every timer and connection, and is idempotent', async () => {
    const fast = await rig.camera();
    const slow = await rig.camera({ latencyMs: 5_000 });
    const sync = rig.engine({
      intervalMs: 50,
      cameras: [rig.spec('fast', fast, [{ id: 1, text: '{{counter}}' }]), rig.spec('slow', slow, [{ id: 1, text: 'x' }])],
    });
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const twoCycles = collectEvents(sync, 'cycle', 2);
    sync.start();
    sync.start();
    await twoCycles;
    expect(slow.stats.connectionsOpen).toBeGreaterThan(0);
    const stopping = sync.stop();
    expect(sync.stop()).toBe(stopping);
    await stopping;
    await sync.stop();
    expect(sync.running).toBe(false);
    const requests = fast.stats.requests;
    // The servers see the sockets close a moment after the client closed them.
    await vi.waitFor(() => expect(fast.stats.connectionsOpen + slow.stats.connectionsOpen).toBe(0), { timeout: 5_000 });
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
    expect(fast.stats.requests).toBe(requests);
  });
});
