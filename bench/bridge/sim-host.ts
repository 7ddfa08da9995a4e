/**
 * Hosts the benchmark's simulated Hikvision cameras in their own process, so the bridge's RSS and CPU
 * are measured alone. IPC: `start` -> `ready` (ports, once every alert stream is open),
 * `events` (rate, duration) -> `fired` (one entry per event with its absolute time), `stop`.
 */
import { HikvisionSimulator } from '@camflow/simulators';

type Message =
  | { type: 'start'; count: number }
  | { type: 'await-streams' }
  | { type: 'events'; perSecond: number; durationMs: number }
  | { type: 'stop' };

export interface Fired {
  camera: number;
  state: 'active' | 'inactive';
  /** performance.timeOrigin + performance.now(): comparable across processes. */
  at: number;
}

const simulators: HikvisionSimulator[] = [];
const send = (message: unknown): void => void process.send?.(message);
const now = (): number => performance.timeOrigin + performance.now();

async function start(count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const simulator = new HikvisionSimulator({ heartbeatMs: 10_000, serialNumber: `BENCH${String(i).padStart(4, '0')}` });
    await simulator.start();
    simulators.push(simulator);
  }
  send({ type: 'ready', ports: simulators.map((s) => s.port) });
}

async function awaitStreams(): Promise<void> {
  await Promise.all(simulators.map((s) => s.waitForAlertStreams(1, AbortSignal.timeout(30_000))));
  send({ type: 'streams' });
}

/** Round-robin over the cameras, each event flipping that camera's motion, in 10 ms batches. */
function fireEvents(perSecond: number, durationMs: number): void {
  const fired: Fired[] = [];
  const active = new Array<boolean>(simulators.length).fill(false);
  const total = Math.round((perSecond * durationMs) / 1000);
  const perTick = Math.max(1, Math.round(perSecond / 100));
  let next = 0;
  const tick = setInterval(() => {
    for (let i = 0; i < perTick && next < total; i++, next++) {
      const camera = next % simulators.length;
      active[camera] = !active[camera];
      const state = active[camera] ? 'active' : 'inactive';
      fired.push({ camera, state, at: now() });
      simulators[camera]?.triggerEvent({ type: 'VMD', state });
    }
    if (next >= total) {
      clearInterval(tick);
      send({ type: 'fired', fired });
    }
  }, 10);
}

process.on('message', (message: Message) => {
  if (message.type === 'start') void start(message.count);
  else if (message.type === 'await-streams') void awaitStreams();
  else if (message.type === 'events') fireEvents(message.perSecond, message.durationMs);
  else if (message.type === 'stop') void Promise.all(simulators.map((s) => s.stop())).then(() => process.exit(0));
});
