/**
 * bench/bridge: 100 simulated Hikvision cameras (in a child process) behind the bridge on the embedded
 * broker. Measures, in one run:
 *   - discovery: time from bridge.start() until a subscriber holds every camera's device config;
 *     baseline: the same payloads published by a bare MQTT client (the broker's floor);
 *   - event latency: a VMD event fired on a simulator -> the motion state on MQTT, p50/p99 at
 *     500 events/s (every ON includes the snapshot refreshed first); baseline: bare MQTT publish ->
 *     receive at the same rate on the same broker;
 *   - RSS of this process (bridge + broker, no simulators) before and after.
 * Targets (issue 6): discovery <= 3000 ms, p99 <= 20 ms, RSS <= 150 MB.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '@camflow/core';
import { Bridge, EmbeddedBroker } from 'camflow-mqtt-bridge';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Fired } from './sim-host.ts';

const CAMERAS = 100;
const EVENTS_PER_SECOND = 500;
const EVENT_SECONDS = 4;
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
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);

/** Resolves when `count` distinct topics matching `prefix` have arrived. */
function collect(client: MqttClient, prefix: string, count: number): Promise<Map<string, Buffer>> {
  const seen = new Map<string, Buffer>();
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer): void => {
      if (!topic.startsWith(prefix) || payload.length === 0) return;
      seen.set(topic, payload);
      if (seen.size >= count) {
        client.off('message', onMessage);
        resolve(seen);
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
  await received;
  const ms = now() - started;
  await Promise.all([pub.endAsync(), sub.endAsync()]);
  return round(ms);
}

function bridgeConfig(ports: readonly number[]) {
  const cameras = ports.map((port, i) => ({
    id: `cam${i}`,
    type: 'hikvision',
    host: '127.0.0.1',
    port,
    username: 'admin',
    password: 'password',
  }));
  return parseConfig(JSON.stringify({ mqtt: { url: 'mqtt://placeholder:1', snapshot_interval: '1h' }, cameras }));
}

function latencies(fired: Fired[], received: Map<number, { on: boolean; at: number }[]>): { on: number[]; off: number[] } {
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

type Received = Map<number, { on: boolean; at: number }[]>;

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

/** Fires the events on the simulators and pairs each with the motion state it caused. */
async function measureEvents(host: ChildProcess, watcher: MqttClient): Promise<{ on: number[]; off: number[]; cpuMsPerEvent: number }> {
  host.send({ type: 'await-streams' });
  await reply(host, 'streams');
  const motion = recordMotion(watcher);
  log(`# ${EVENTS_PER_SECOND} events/s for ${EVENT_SECONDS} s`);
  host.send({ type: 'events', perSecond: EVENTS_PER_SECOND, durationMs: EVENT_SECONDS * 1000 });
  const cpuBefore = process.cpuUsage();
  const { fired = [] } = await reply(host, 'fired');
  await motion.arrived(fired.length);
  const cpu = process.cpuUsage(cpuBefore);
  return { ...latencies(fired, motion.received), cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / Math.max(1, fired.length) };
}

interface EventFigures {
  on: number[];
  off: number[];
  cpuMsPerEvent: number;
}

function report(discovery: Record<string, number>, events: EventFigures, mqtt: { p50: number; p99: number }, rssBefore: number) {
  const { on, off } = events;
  const all = [...on, ...off];
  const { rss: rssAfter, heapUsed, heapTotal } = process.memoryUsage();
  const p99 = round(percentile(all, 99));
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
      // This process: bridge + broker + the subscriber that measures.
      cpu_ms_per_event: round(events.cpuMsPerEvent),
    },
    // before_bridge: this process with the broker, the MQTT clients and every module loaded.
    rss_mb: { before_bridge: mb(rssBefore), after: mb(rssAfter), heap_used: mb(heapUsed), heap_committed: mb(heapTotal) },
    targets: { discovery_le_3000ms: (discovery['all_ms'] ?? Infinity) <= 3000, p99_le_20ms: p99 <= 20, rss_le_150mb: mb(rssAfter) <= 150 },
  };
}

async function main(): Promise<void> {
  const host = fork(fileURLToPath(new URL('./sim-host.ts', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const broker = new EmbeddedBroker({ port: 0 });
  let bridge: Bridge | undefined;
  let watcher: MqttClient | undefined;
  try {
    host.send({ type: 'start', count: CAMERAS });
    const { ports = [] } = await reply(host, 'ready');
    await broker.start();
    const rssBefore = process.memoryUsage().rss;
    log(`# ${CAMERAS} cameras up; bare MQTT baseline`);
    const mqtt = await mqttBaseline(broker.url);

    watcher = await connectAsync(broker.url);
    await watcher.subscribeAsync(['homeassistant/device/+/config', 'camflow/+/motion'], { qos: 1 });
    const discovered = collect(watcher, 'homeassistant/device/camflow_cam', CAMERAS);
    const config = bridgeConfig(ports);
    config.mqtt = { ...config.mqtt!, url: broker.url };
    bridge = new Bridge({ config, version: 'bench' });
    log('# bridge start: discovery');
    const started = now();
    await bridge.start();
    const payloads = await discovered;
    const discovery = { all_ms: round(now() - started), messages: payloads.size, baseline_bare_mqtt_ms: await discoveryBaseline(broker.url, payloads) };
    const events = await measureEvents(host, watcher);
    process.stdout.write(`${JSON.stringify(report(discovery, events, mqtt, rssBefore))}\n`);
  } finally {
    await watcher?.endAsync();
    await bridge?.stop();
    await broker.stop();
    if (host.exitCode === null) {
      host.send({ type: 'stop' });
      await new Promise((resolve) => host.once('exit', resolve));
    }
  }
}

await main();
