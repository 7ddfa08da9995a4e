/**
 * Profiling aid, not part of `npm run bench`: runs only camflow's 100x4@50ms contender (or the counts
 * given as arguments: cameras overlays rttMs cycles), so `node --cpu-prof bench/overlay-sync/profile.ts`
 * shows the client's CPU alone (the simulators run in their own process).
 */
import { HikvisionClient, OverlaySync } from '@camflow/core';
import { measure, percentile } from './measure.ts';
import { SimHost } from './sim-host-client.ts';

const [cameras = 100, overlays = 4, rttMs = 50, cycles = 60] = process.argv.slice(2).map(Number);
const host = await SimHost.start({ count: cameras, latencyMs: rttMs, overlayCount: overlays });
try {
  const m = await measure(() => {
    const sync = new OverlaySync({
      intervalMs: 1_000,
      timeoutMs: 10_000,
      logUpdates: false,
      cameras: host.ports.map((port, index) => ({
        id: `cam${index}`,
        overlays: Array.from({ length: overlays }, (_, i) => ({ id: i + 1, text: `Cam ${index} #{{counter}} line ${i + 1}` })),
        createTarget: () => new HikvisionClient({ host: '127.0.0.1', port, username: 'admin', password: 'password', timeoutMs: 10_000 }),
      })),
    });
    return { cycle: async () => (await sync.runOnce()).updated, close: () => sync.stop() };
  }, cycles, host);
  const line = {
    firstCycleMs: Math.round(m.firstCycleMs),
    p50: Math.round(percentile(m.cycleMs, 50) * 10) / 10,
    p95: Math.round(percentile(m.cycleMs, 95) * 10) / 10,
    cpuMsPerCycle: Math.round(m.cpuMsPerUpdate * m.updatesPerCycle * 10) / 10,
    requestsPerCycle: m.requestsPerCycle,
    maxUnauthorizedPerCamera: m.maxUnauthorizedPerCamera,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
} finally {
  await host.stop();
}
