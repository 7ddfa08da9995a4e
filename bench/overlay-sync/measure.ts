/** Runs one contender against the simulated cameras and measures it. */
import type { CameraCounters, SimHost } from './sim-host-client.ts';

export interface Contender {
  /** One complete cycle; returns the number of overlays written. */
  cycle(): Promise<number>;
  close(): Promise<void>;
}

export interface Measured {
  /** From a cold start (nothing connected, no challenge known) to the end of the first complete cycle. */
  firstCycleMs: number;
  /** Steady-state cycles. */
  cycleMs: number[];
  requestsPerCycle: number;
  unauthorizedPerCycle: number;
  unauthorizedFirstCycle: number;
  /** Most 401s any one camera sent over the contender's whole run. */
  maxUnauthorizedPerCamera: number;
  updatesPerCycle: number;
  cpuMsPerUpdate: number;
}

function total(cameras: readonly CameraCounters[], key: keyof CameraCounters): number {
  return cameras.reduce((sum, camera) => sum + camera[key], 0);
}

export async function measure(make: () => Contender, cycles: number, host: SimHost): Promise<Measured> {
  const before = await host.stats();
  const started = performance.now();
  const contender = make();
  try {
    await contender.cycle();
    const firstCycleMs = performance.now() - started;
    const afterFirst = await host.stats();
    const cpu = process.cpuUsage();
    const cycleMs: number[] = [];
    let updates = 0;
    for (let i = 0; i < cycles; i++) {
      const cycleStart = performance.now();
      updates += await contender.cycle();
      cycleMs.push(performance.now() - cycleStart);
    }
    const used = process.cpuUsage(cpu);
    const after = await host.stats();
    return {
      firstCycleMs,
      cycleMs,
      requestsPerCycle: (total(after, 'requests') - total(afterFirst, 'requests')) / cycles,
      unauthorizedPerCycle: (total(after, 'unauthorized') - total(afterFirst, 'unauthorized')) / cycles,
      unauthorizedFirstCycle: total(afterFirst, 'unauthorized') - total(before, 'unauthorized'),
      maxUnauthorizedPerCamera: Math.max(...after.map((camera, i) => camera.unauthorized - (before[i]?.unauthorized ?? 0))),
      updatesPerCycle: updates / cycles,
      cpuMsPerUpdate: (used.user + used.system) / 1000 / Math.max(1, updates),
    };
  } finally {
    await contender.close();
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
