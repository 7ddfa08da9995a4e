/**
 * bench/bridge: the bridge as a user runs it — the real `camflow bridge --config FILE` CLI in its own
 * process, with its embedded broker — against 100 simulated Hikvision cameras in a second process.
 * This process only measures (its MQTT clients and latency arrays never count towards the bridge).
 *   - discovery: from the embedded broker listening (the bridge connecting) until a subscriber holds
 *     every camera's device config; baseline: the same payloads published by a bare MQTT client;
 *   - event latency: a VMD event fired on a simulator -> the motion state on MQTT, p50/p99 at
 *     500 events/s (every ON includes the snapshot refreshed first); baseline: bare MQTT publish ->
 *     receive at the same rate on the same broker, in the same run;
 *   - the bridge process's VmRSS (and peak VmHWM) from /proc after discovery and after the event
 *     load, and its CPU time per event; baseline: the same CLI with no cameras (Node, modules, broker).
 * Diagnosis: BENCH_BRIDGE_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=DIR`, `--trace-gc`) goes to the
 * bridge's Node, BENCH_BRIDGE_OUTPUT=FILE keeps its output, BENCH_DEBUG=1 lists slow events.
 * Targets (issue 6): discovery <= 3000 ms, p99 <= 20 ms, RSS <= 150 MB.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Fired } from './sim-host.ts';

const CAMERAS = 100;
const EVENTS_PER_SECOND = 500;
const EVENT_SECONDS = 4;
const CLI = fileURLToPath(new URL('../../mqtt-bridge/dist/cli/main.js', import.meta.url));
const now = (): number => performance.timeOrigin + performance.now();
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface Reply {
  type: string;
  ports?: number[];
  fired?: Fired[];
}

function reply(child: ChildProcess, type: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Reply): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`simulator host exited (${code}) waiting for ${type}`)));
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const round = (value: number): number => Math.round(value * 100) / 100;

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc. */
function memoryOf(pid: number): { rss_mb: number; peak_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss_mb: Math.round(kb('VmRSS') / 1024), peak_mb: Math.round(kb('VmHWM') / 1024) };
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks are 100 Hz on Linux). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resolves when `count` distinct topics matching `prefix` have arrived, with the last arrival time. */
function collect(client: MqttClient, prefix: string, count: number): Promise<{ seen: Map<string, Buffer>; at: number }> {
  const seen = new Map<string, Buffer>();
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer): void => {
      if (!topic.startsWith(prefix) || payload.length === 0) return;
      seen.set(topic, payload);
      if (seen.size >= count) {
        client.off('message', onMessage);
        resolve({ seen, at: now() });
      }
    };
    client.on('message', onMessage);
  });
}

/** Bare MQTT: publish -> receive latency at the benchmark's event rate, on the same broker. */
async function mqttBaseline(url: string): Promise<{ p50: number; p99: number }> {
  const pub = await connectAsync(url);
  const sub = await connectAsync(url);
  await sub.subscribeAsync('bench/raw/#', { qos: 1 });
  const latencies: number[] = [];
  const total = EVENTS_PER_SECOND * EVENT_SECONDS;
  const done = new Promise<void>((resolve) => {
    sub.on('message', (_topic, payload) => {
      latencies.push(now() - Number(payload.toString()));
      if (latencies.length >= total) resolve();
    });
  });
  let sent = 0;
  const perTick = EVENTS_PER_SECOND / 100;
  const tick = setInterval(() => {
    for (let i = 0; i < perTick && sent < total; i++, sent++) void pub.publishAsync(`bench/raw/${sent % CAMERAS}/motion`, String(now()), { qos: 0, retain: false });
    if (sent >= total) clearInterval(tick);
  }, 10);
  await done;
  await Promise.all([pub.endAsync(), sub.endAsync()]);
  return { p50: round(percentile(latencies, 50)), p99: round(percentile(latencies, 99)) };
}

/** Bare MQTT: the bridge's own discovery payloads, published by a plain client. */
async function discoveryBaseline(url: string, payloads: Map<string, Buffer>): Promise<number> {
  const pub = await connectAsync(url);
  const sub = await connectAsync(url);
  await sub.subscribeAsync('bench/discovery/#', { qos: 1 });
  const received = collect(sub, 'bench/discovery/', payloads.size);
  const started = now();
  await Promise.all([...payloads].map(([topic, payload]) => pub.publishAsync(`bench/discovery/${topic}`, payload, { qos: 1, retain: true })));
  const { at } = await received;
  await Promise.all([pub.endAsync(), sub.endAsync()]);
  return round(at - started);
}

/** A real config file, as a user writes it: no mqtt.url, so the bridge starts its embedded broker (port 0: free). */
function writeConfig(dir: string, ports: readonly number[]): string {
  // Two overlays each (a fixed text and a template value): every camera's discovery carries its text
  // entities, overlay sync switch and cycle sensor, as a real deployment's would.
  const overlays = (i: number): string => `overlays: [{ id: 1, text: "Camera ${i}" }, { id: 2, text: "{{value.temperature:0.1}} C" }]`;
  const cameras = ports.map((port, i) => `  - { id: cam${i}, type: hikvision, host: 127.0.0.1, port: ${port}, username: admin, password: password, ${overlays(i)} }`);
  const file = join(dir, 'camflow.yaml');
  writeFileSync(file, ['mqtt:', '  embedded: { host: 127.0.0.1, port: 0 }', '  snapshot_interval: 1h', cameras.length === 0 ? 'cameras: []' : 'cameras:', ...cameras, ''].join('\n'));
  return file;
}

interface BridgeProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the embedded broker's URL as soon as it listens (the bridge then connects). */
  brokerUp: Promise<{ url: string; at: number }>;
  /** Resolves when the CLI reports that start() finished. */
  running: Promise<void>;
}

/** `camflow bridge --config FILE` as a child process; its log lines go to our stderr only when they are warnings. */
function startBridge(config: string): BridgeProcess {
  // BENCH_BRIDGE_NODE_ARGS: Node flags for the bridge process only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const nodeArgs = process.env['BENCH_BRIDGE_NODE_ARGS']?.split(' ').filter((arg) => arg !== '') ?? [];
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'bridge', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error('could not start the bridge');
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`bridge exited (${code})`))));
  exited.catch(() => undefined);
  // BENCH_BRIDGE_OUTPUT=FILE: every line the bridge prints (with --trace-gc, say), for diagnosis.
  const output = process.env['BENCH_BRIDGE_OUTPUT'];
  const keep = (line: string): void => {
    if (output !== undefined) appendFileSync(output, `${Math.round(now())} ${line}\n`);
  };
  const brokerUp = new Promise<{ url: string; at: number }>((resolve) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      keep(line);
      const url = /Embedded MQTT broker listening on (mqtt:\/\/\S+)/.exec(line)?.[1];
      if (url !== undefined) resolve({ url, at: now() });
      else if (/ (warn|error) /.test(line)) log(`bridge: ${line}`);
    });
  });
  const running = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      keep(line);
      if (line.includes('bridge running')) resolve();
    });
  });
  return { child, pid: child.pid, brokerUp: Promise.race([brokerUp, exited]), running: Promise.race([running, exited]) };
}

async function stopBridge(bridge: BridgeProcess | undefined): Promise<void> {
  const child = bridge?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

type Received = Map<number, { on: boolean; at: number }[]>;

function latencies(fired: Fired[], received: Received): { on: number[]; off: number[] } {
  const next = new Map<number, number>();
  const on: number[] = [];
  const off: number[] = [];
  for (const event of fired) {
    const index = next.get(event.camera) ?? 0;
    next.set(event.camera, index + 1);
    const message = received.get(event.camera)?.[index];
    if (message === undefined) throw new Error(`camera ${event.camera}: no motion state for event ${index}`);
    if (message.on !== (event.state === 'active')) throw new Error(`camera ${event.camera}: event ${index} out of order`);
    (message.on ? on : off).push(message.at - event.at);
    if (process.env['BENCH_DEBUG'] !== undefined && message.at - event.at > 15) log(`slow ${message.on ? 'on' : 'off'} cam${event.camera} #${index} at +${Math.round(event.at - (fired[0]?.at ?? 0))}ms: ${Math.round(message.at - event.at)}ms`);
  }
  return { on, off };
}

/** Records every motion state with its arrival time; resolves once `count` have arrived (or after 10 s). */
function recordMotion(watcher: MqttClient): { received: Received; arrived(count: number): Promise<void> } {
  const received: Received = new Map();
  let total = 0;
  let wanted = Number.POSITIVE_INFINITY;
  let wake: (() => void) | undefined;
  watcher.on('message', (topic, payload) => {
    const match = /^camflow\/cam(\d+)\/motion$/.exec(topic);
    if (match === null) return;
    const at = now();
    const camera = Number(match[1]);
    const list = received.get(camera) ?? [];
    list.push({ on: payload.toString() === 'ON', at });
    received.set(camera, list);
    if (++total >= wanted) wake?.();
  });
  const arrived = (count: number): Promise<void> =>
    new Promise((resolve) => {
      if (total >= count) return resolve();
      wanted = count;
      const timer = setTimeout(resolve, 10_000);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  return { received, arrived };
}

interface EventFigures {
  on: number[];
  off: number[];
  bridgeCpuMsPerEvent: number;
}

/** Fires the events on the simulators and pairs each with the motion state it caused. */
async function measureEvents(host: ChildProcess, watcher: MqttClient, bridgePid: number): Promise<EventFigures> {
  const motion = recordMotion(watcher);
  log(`# ${EVENTS_PER_SECOND} events/s for ${EVENT_SECONDS} s`);
  const cpuBefore = cpuMsOf(bridgePid);
  host.send({ type: 'events', perSecond: EVENTS_PER_SECOND, durationMs: EVENT_SECONDS * 1000 });
  const { fired = [] } = await reply(host, 'fired');
  await motion.arrived(fired.length);
  const cpuMs = cpuMsOf(bridgePid) - cpuBefore;
  return { ...latencies(fired, motion.received), bridgeCpuMsPerEvent: cpuMs / Math.max(1, fired.length) };
}

interface Memory {
  rss_mb: number;
  peak_mb: number;
}

function report(discovery: Record<string, number>, events: EventFigures, mqtt: { p50: number; p99: number }, memory: { noCameras: Memory; afterDiscovery: Memory; afterEvents: Memory }) {
  const { on, off } = events;
  const all = [...on, ...off];
  const p99 = round(percentile(all, 99));
  const rss = Math.max(memory.afterDiscovery.rss_mb, memory.afterEvents.rss_mb);
  return {
    bench: 'bridge',
    cameras: CAMERAS,
    discovery,
    event_latency_ms: {
      events: all.length,
      rate_per_s: EVENTS_PER_SECOND,
      p50: round(percentile(all, 50)),
      p99,
      motion_on: { p50: round(percentile(on, 50)), p99: round(percentile(on, 99)), note: 'includes the snapshot refreshed first' },
      motion_off: { p50: round(percentile(off, 50)), p99: round(percentile(off, 99)) },
      baseline_bare_mqtt: mqtt,
      bridge_cpu_ms_per_event: round(events.bridgeCpuMsPerEvent),
    },
    // The `camflow bridge` process alone (embedded broker included), VmRSS and peak VmHWM;
    // baseline: the same CLI with no cameras.
    bridge_process_mb: { after_discovery: memory.afterDiscovery, after_events: memory.afterEvents, baseline_no_cameras: memory.noCameras },
    targets: { discovery_le_3000ms: (discovery['all_ms'] ?? Infinity) <= 3000, p99_le_20ms: p99 <= 20, rss_le_150mb: rss <= 150 },
  };
}

/** The same CLI with no cameras: Node, the loaded modules and the idle embedded broker (the fixed part of the RSS). */
async function emptyBridgeMemory(dir: string): Promise<Memory> {
  const bridge = startBridge(writeConfig(dir, []));
  try {
    await bridge.running;
    return memoryOf(bridge.pid);
  } finally {
    await stopBridge(bridge);
  }
}

async function main(): Promise<void> {
  const host = fork(fileURLToPath(new URL('./sim-host.ts', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const dir = mkdtempSync(join(tmpdir(), 'camflow-bench-bridge-'));
  let bridge: BridgeProcess | undefined;
  let watcher: MqttClient | undefined;
  try {
    host.send({ type: 'start', count: CAMERAS });
    const { ports = [] } = await reply(host, 'ready');
    const noCameras = await emptyBridgeMemory(dir);
    log(`# ${CAMERAS} cameras up; camflow bridge starting`);
    const spawned = now();
    bridge = startBridge(writeConfig(dir, ports));
    const broker = await bridge.brokerUp;
    watcher = await connectAsync(broker.url);
    await watcher.subscribeAsync(['homeassistant/device/+/config', 'camflow/+/motion'], { qos: 1 });
    const discovered = await collect(watcher, 'homeassistant/device/camflow_cam', CAMERAS);
    await bridge.running;
    host.send({ type: 'await-streams' });
    await reply(host, 'streams');
    const afterDiscovery = memoryOf(bridge.pid);
    const discovery = {
      all_ms: round(discovered.at - broker.at),
      from_process_spawn_ms: round(discovered.at - spawned),
      messages: discovered.seen.size,
      baseline_bare_mqtt_ms: await discoveryBaseline(broker.url, discovered.seen),
    };
    log('# bare MQTT baseline on the bridge broker');
    const mqtt = await mqttBaseline(broker.url);
    const events = await measureEvents(host, watcher, bridge.pid);
    const afterEvents = memoryOf(bridge.pid);
    process.stdout.write(`${JSON.stringify(report(discovery, events, mqtt, { noCameras, afterDiscovery, afterEvents }))}\n`);
  } finally {
    await watcher?.endAsync();
    await stopBridge(bridge);
    rmSync(dir, { recursive: true, force: true });
    if (host.exitCode === null) {
      host.send({ type: 'stop' });
      await new Promise((resolve) => host.once('exit', resolve));
    }
  }
}

await main();
