/**
 * Hosts the simulated cameras of one scenario in their own process, so that the CPU time the
 * benchmark measures is the client's alone (a real camera does its work on its own hardware too).
 * Talks to the parent over the IPC channel: `start` -> `ready` (ports), `stats` -> `stats`, `stop`.
 */
import { HikvisionSimulator } from '@camflow/simulators';
import type { CameraCounters } from './sim-host-client.ts';

interface StartMessage {
  type: 'start';
  count: number;
  latencyMs: number;
  overlayCount: number;
}
type Message = StartMessage | { type: 'stats' } | { type: 'stop' };


const simulators: HikvisionSimulator[] = [];

function send(message: unknown): void {
  process.send?.(message);
}

async function start(message: StartMessage): Promise<void> {
  for (let i = 0; i < message.count; i++) {
    // Default nonce lifetime (30 s): each contender's run stays shorter than that.
    const simulator = new HikvisionSimulator({ latencyMs: message.latencyMs, overlayCount: message.overlayCount });
    await simulator.start();
    simulators.push(simulator);
  }
  send({ type: 'ready', ports: simulators.map((s) => s.port) });
}

function counters(): CameraCounters[] {
  return simulators.map((s) => ({
    requests: s.stats.requests,
    unauthorized: s.stats.unauthorized,
    puts: s.requestLog.filter((entry) => entry.method === 'PUT').length,
  }));
}

process.on('message', (message: Message) => {
  if (message.type === 'start') void start(message);
  else if (message.type === 'stats') send({ type: 'stats', cameras: counters() });
  else if (message.type === 'stop') {
    void Promise.all(simulators.map((s) => s.stop())).then(() => process.exit(0));
  }
});
