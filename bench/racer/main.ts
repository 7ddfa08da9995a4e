/**
 * bench/racer: racing the TrailCam paths against trying them one after another (what real clients
 * do), on the loopback simulator. Scenarios (per-path answer delays): LAN 5 ms; LAN dead and P2P
 * 40 ms; relay only 120 ms; the ports case (two silent ports, the third answers in 100 ms; real
 * tools wait 5 s per silent port, scaled here to 500 ms). Prints one JSON line: time to connect
 * (p50), overhead over the fastest path's own handshake, sequential time, speed-up, the UDP
 * sockets left open after 1,000 races (the simulators run in a child process for that count, so only
 * the client's sockets are counted), and each target with a met flag.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { type Socket, createSocket } from 'node:dgram';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  type Link,
  type RaceAttempt,
  RaceMemory,
  disposeLink,
  parseDid,
  planAttempts,
  race,
} from '@camflow/core';
import { DirectoryServerSimulator, RelaySimulator, TrailCamSimulator, type TrailCamSimulatorOptions } from '@camflow/simulators';

const SILENT_PORT_TIMEOUT_MS = 500; // 5 s per silent port in the field, scaled by 1/10
const RUNS = 25;
const SEQUENTIAL_RUNS = 3;
const did = parseDid('LBCS-000000-CCCJJ');
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface World {
  camera: TrailCamSimulator;
  server: DirectoryServerSimulator;
  relay: RelaySimulator;
  silent: Socket[];
}

async function startWorld(options: TrailCamSimulatorOptions, silentPorts: number): Promise<World> {
  const relay = new RelaySimulator();
  await relay.start();
  const server = new DirectoryServerSimulator({ relays: [relay.address] });
  await server.start();
  const camera = new TrailCamSimulator({
    directoryServers: [server.address],
    // Aborted relay joins can leave a session the client never sees; let the camera drop those fast.
    maxSessions: 64,
    aliveIntervalMs: 100,
    aliveTimeoutMs: 300,
    ...options,
  });
  await camera.start();
  const silent: Socket[] = [];
  for (let i = 0; i < silentPorts; i++) {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
    silent.push(socket); // bound and never answering: a port where nothing speaks PPPP
  }
  return { camera, server, relay, silent };
}

async function stopWorld(w: World): Promise<void> {
  await w.camera.stop();
  await w.server.stop();
  await w.relay.stop();
  await Promise.all(w.silent.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

function attemptsFor(w: World, modes: ('lan' | 'direct' | 'p2p' | 'relay')[], directOnly: boolean): RaceAttempt<Link>[] {
  const ports = directOnly ? [...w.silent.map((s) => s.address().port), w.camera.sessionPort] : [w.camera.sessionPort];
  return planAttempts({
    did,
    host: '127.0.0.1',
    lanPort: w.camera.lanPort,
    ports,
    servers: [w.server.address],
    relay: true,
    broadcastAddress: false,
    context: { did, localAddress: '127.0.0.1', intervalMs: 100 },
    modes,
  });
}

async function timeRace(attempts: RaceAttempt<Link>[]): Promise<number> {
  const start = performance.now();
  const { value } = await race(attempts, { staggerMs: 0, deadlineMs: 5000, memory: new RaceMemory() });
  const elapsed = performance.now() - start;
  await disposeLink(value);
  return elapsed;
}

/** What tools without racing do: one path (or port) at a time, each with its own timeout. */
async function timeSequential(attempts: RaceAttempt<Link>[]): Promise<number> {
  const start = performance.now();
  for (const attempt of attempts) {
    try {
      const link = await attempt.run(AbortSignal.timeout(SILENT_PORT_TIMEOUT_MS), { setLocalPort() {}, setDestination() {}, addRetry() {} });
      const elapsed = performance.now() - start;
      await disposeLink(link);
      return elapsed;
    } catch {
      // next path
    }
  }
  throw new Error('sequential: nothing connected');
}

const p50 = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.floor(s.length / 2)] ?? NaN) * 100) / 100;
};

interface Scenario {
  name: string;
  camera: TrailCamSimulatorOptions;
  silentPorts: number;
  modes: ('lan' | 'direct' | 'p2p' | 'relay')[];
  fastest: 'lan' | 'direct' | 'p2p' | 'relay';
}

const scenarios: Scenario[] = [
  { name: 'lan_5ms', camera: { paths: { lan: { delayMs: 5 }, direct: { silent: true }, p2p: { delayMs: 40 }, relay: { delayMs: 120 } } }, silentPorts: 0, modes: ['lan', 'direct', 'p2p', 'relay'], fastest: 'lan' },
  { name: 'lan_dead_p2p_40ms', camera: { paths: { lan: { silent: true }, direct: { silent: true }, p2p: { delayMs: 40 }, relay: { delayMs: 120 } } }, silentPorts: 0, modes: ['lan', 'direct', 'p2p', 'relay'], fastest: 'p2p' },
  { name: 'relay_only_120ms', camera: { paths: { lan: { silent: true }, direct: { silent: true }, p2p: { silent: true }, relay: { delayMs: 120 } } }, silentPorts: 0, modes: ['lan', 'direct', 'p2p', 'relay'], fastest: 'relay' },
  { name: 'ports_silent_silent_100ms', camera: { paths: { direct: { delayMs: 100 } } }, silentPorts: 2, modes: ['direct'], fastest: 'direct' },
];

async function runScenario(s: Scenario): Promise<Record<string, number>> {
  const w = await startWorld(s.camera, s.silentPorts);
  try {
    const raced: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      raced.push(await timeRace(attemptsFor(w, s.modes, s.silentPorts > 0)));
      const alone = attemptsFor(w, [s.fastest], s.silentPorts > 0).filter((a) => s.silentPorts === 0 || a.name === `direct:${w.camera.sessionPort}`);
      own.push(await timeRace(alone));
    }
    const sequential: number[] = [];
    for (let i = 0; i < SEQUENTIAL_RUNS; i++) sequential.push(await timeSequential(attemptsFor(w, s.modes, s.silentPorts > 0)));
    const overheads = raced.map((r, i) => r - (own[i] ?? r));
    const result = {
      race_ms_p50: p50(raced),
      own_handshake_ms_p50: p50(own),
      overhead_ms_p50: p50(overheads),
      sequential_ms_p50: p50(sequential),
      speedup: Math.round((p50(sequential) / p50(raced)) * 10) / 10,
    };
    log(`${s.name}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await stopWorld(w);
  }
}

function udpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap' || r === 'UDPWRAP').length;
}

/** Simulators in their own process (`camflow-sim trailcam`): every UDP handle left here is the client's. */
async function startSimulatorProcess(): Promise<{ child: ChildProcessByStdio<null, Readable, null>; lan: number; session: number; server: number }> {
  const cli = fileURLToPath(new URL('../../simulators/dist/cli.js', import.meta.url));
  const child = spawn(process.execPath, [cli, 'trailcam', '--max-sessions', '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`camflow-sim exited with ${String(code)}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/relay 127\.0\.0\.1:\d+/.test(out)) resolve();
    });
  });
  const ports = /lan_port=(\d+) session_port=(\d+)/.exec(out);
  const server = /directory server 127\.0\.0\.1:(\d+)/.exec(out);
  return { child, lan: Number(ports?.[1]), session: Number(ports?.[2]), server: Number(server?.[1]) };
}

async function socketsAfterRaces(count: number): Promise<number> {
  const sim = await startSimulatorProcess();
  try {
    const before = udpHandles();
    for (let i = 0; i < count; i++) {
      const attempts = planAttempts({
        did,
        host: '127.0.0.1',
        lanPort: sim.lan,
        ports: [sim.session],
        servers: [{ address: '127.0.0.1', port: sim.server }],
        relay: true,
        broadcastAddress: false,
        context: { did, localAddress: '127.0.0.1', intervalMs: 100 },
      });
      await timeRace(attempts);
    }
    // libuv frees closed handles in the close phase after their callbacks: let one loop pass.
    await new Promise((resolve) => setImmediate(() => setImmediate(resolve)));
    log(`client udp handles: ${udpHandles()} after, ${before} before`);
    return udpHandles() - before;
  } finally {
    const exited = new Promise((resolve) => sim.child.once('exit', resolve));
    sim.child.kill('SIGTERM');
    await exited;
  }
}

const OVERHEAD_TARGET_MS = 5;
const SPEEDUP_TARGET = 10;
const figures: Record<string, unknown> = {};
const results: Record<string, Record<string, number>> = {};
for (const s of scenarios) figures[s.name] = results[s.name] = await runScenario(s);
const socketsLeft = await socketsAfterRaces(1000);
figures['sockets_left_after_1000_races'] = socketsLeft;
figures['stagger_ms'] = 0;
figures['silent_port_timeout_ms'] = SILENT_PORT_TIMEOUT_MS;
const targets: Record<string, { target: string; value: number; met: boolean }> = {};
for (const s of scenarios) {
  const overhead = results[s.name]?.['overhead_ms_p50'] ?? NaN;
  targets[`${s.name}_overhead_p50`] = { target: `<= ${OVERHEAD_TARGET_MS} ms`, value: overhead, met: overhead <= OVERHEAD_TARGET_MS };
}
const speedup = results['ports_silent_silent_100ms']?.['speedup'] ?? NaN;
targets['ports_speedup_vs_sequential'] = { target: `>= ${SPEEDUP_TARGET}x`, value: speedup, met: speedup >= SPEEDUP_TARGET };
targets['sockets_left_after_1000_races'] = { target: '0', value: socketsLeft, met: socketsLeft === 0 };
figures['targets'] = targets;
figures['all_targets_met'] = Object.values(targets).every((t) => t.met);
process.stdout.write(`${JSON.stringify({ bench: 'racer', ...figures })}\n`);
