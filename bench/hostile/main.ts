/**
 * bench/hostile: peak memory (max RSS) of a process that asks a hostile camera for something, one
 * fresh process per case: a 50 MB XML answer, entity expansion, an endless chunked body (device info
 * and snapshot), a byte a second, a 100 MB alert-stream part, a boundary that never comes, an endless
 * 503 body on the alert stream. Baseline in the same run: the same calls against a well-behaved
 * simulated camera. Also how long each call took to end and how. One JSON line.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HikvisionClient, type EventStreamStatus } from '@camflow/core';
import { HikvisionSimulator, HostileCamera, type HostileMode } from '@camflow/simulators';

const self = fileURLToPath(import.meta.url);
type Call = 'deviceInfo' | 'snapshot' | 'events';
const CASES: [HostileMode | 'normal', Call][] = [
  ['normal', 'deviceInfo'],
  ['normal', 'snapshot'],
  ['huge-xml', 'deviceInfo'],
  ['entity-expansion', 'deviceInfo'],
  ['endless-chunked', 'deviceInfo'],
  ['endless-chunked', 'snapshot'],
  ['trickle', 'deviceInfo'],
  ['huge-part', 'events'],
  ['no-boundary', 'events'],
  ['endless-error', 'events'],
];

async function child(mode: HostileMode | 'normal', call: Call): Promise<void> {
  const server = mode === 'normal' ? new HikvisionSimulator() : new HostileCamera({ mode });
  await server.start();
  const client = new HikvisionClient({ host: '127.0.0.1', port: server.port, username: 'admin', password: 'password', timeoutMs: 3000, eventIdleTimeoutMs: 3000 });
  const started = performance.now();
  let outcome = 'ok';
  try {
    if (call === 'deviceInfo') await client.deviceInfo();
    else if (call === 'snapshot') await client.snapshot(1);
    else {
      outcome = await new Promise<string>((resolve) => {
        const events = client.events();
        client.on('event-stream', (status: EventStreamStatus) => {
          if (status.error !== undefined) resolve(status.error.message);
        });
        void (async () => {
          for await (const _ of events) void _;
        })();
        if (mode === 'normal') setTimeout(() => resolve('ok'), 1000);
      });
    }
  } catch (error) {
    outcome = (error as Error).message;
  }
  const ms = Math.round(performance.now() - started);
  await client.close();
  await server.stop();
  process.stdout.write(JSON.stringify({ ms, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), outcome: outcome.slice(0, 120) }));
}

if (process.argv[2] === '--case') {
  await child(process.argv[3] as HostileMode | 'normal', process.argv[4] as Call);
} else {
  const results: Record<string, unknown> = {};
  for (const [mode, call] of CASES) {
    process.stderr.write(`${mode} ${call}\n`);
    const run = spawnSync(process.execPath, [self, '--case', mode, call], { encoding: 'utf8', timeout: 60_000 });
    results[`${mode}/${call}`] = run.status === 0 ? (JSON.parse(run.stdout) as unknown) : { failed: run.status, stderr: run.stderr.slice(0, 200) };
  }
  process.stdout.write(`${JSON.stringify({ bench: 'hostile', cases: results })}\n`);
}
