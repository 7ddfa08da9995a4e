/**
 * bench/digest: 1,000 GET /ISAPI/System/deviceInfo to one simulated Hikvision camera at 20 ms
 * latency, 16 at a time. camflow's digest client (cached nonce, counted nc: one round trip per
 * request) against a naive client that answers a fresh challenge on every request (two round trips,
 * what most digest packages do). Round trips are counted by the simulator. Prints one JSON line.
 */
import { CameraHttpClient } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { NaiveDigestClient } from '../lib/naive-digest.ts';

const REQUESTS = 1000;
const CONCURRENCY = 16;
const LATENCY_MS = 20;
const PATH = '/ISAPI/System/deviceInfo';
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Result {
  roundTripsPerRequest: number;
  unauthorized: number;
  failedLogins: number;
  wallMs: number;
}

async function measure(name: string, make: (origin: string) => { get: () => Promise<number>; close: () => Promise<void> }): Promise<Result> {
  const sim = new HikvisionSimulator({ latencyMs: LATENCY_MS });
  await sim.start();
  const client = make(sim.url);
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      next++;
      const status = await client.get();
      if (status !== 200) throw new Error(`${name}: HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const wallMs = performance.now() - started;
  await client.close();
  await sim.stop();
  const result = {
    roundTripsPerRequest: Number((sim.stats.requests / REQUESTS).toFixed(3)),
    unauthorized: sim.stats.unauthorized,
    failedLogins: sim.stats.failedLogins,
    wallMs: Math.round(wallMs),
  };
  log(`${name}: ${JSON.stringify(result)}`);
  return result;
}

const camflow = await measure('camflow', (origin) => {
  const http = new CameraHttpClient({ origin, username: 'admin', password: 'password', connections: CONCURRENCY });
  return { get: async () => (await http.request({ method: 'GET', path: PATH })).status, close: () => http.close() };
});
const naive = await measure('naive', (origin) => {
  const client = new NaiveDigestClient({ origin, username: 'admin', password: 'password', connections: CONCURRENCY });
  return { get: async () => (await client.request({ method: 'GET', path: PATH })).status, close: () => client.close() };
});

process.stdout.write(
  `${JSON.stringify({
    bench: 'digest',
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    latencyMs: LATENCY_MS,
    camflow,
    naive,
    roundTripsPerRequest: { camflow: camflow.roundTripsPerRequest, naive: naive.roundTripsPerRequest },
    wallRatio: Number((naive.wallMs / camflow.wallMs).toFixed(2)),
  })}\n`,
);
