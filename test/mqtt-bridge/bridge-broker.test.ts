/**
 * The bridge against real brokers, without cameras: the embedded aedes broker in-process and a real
 * Mosquitto process started on a free port. Discovery, availability, last will, stale cleanup,
 * command errors, Home Assistant's birth message and broker restarts.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { backoffDelay, Bridge, EmbeddedBroker } from 'camflow-mqtt-bridge';
import { repoRoot } from '../helpers/cli.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

interface BrokerUnderTest {
  url: string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startAedes(): Promise<BrokerUnderTest> {
  let broker = new EmbeddedBroker({ port: 0 });
  await broker.start();
  const port = broker.port;
  return {
    url: broker.url,
    async restart() {
      await broker.stop();
      broker = new EmbeddedBroker({ port });
      await broker.start();
    },
    close: () => broker.stop(),
  };
}

async function startMosquitto(): Promise<BrokerUnderTest> {
  const mosquitto = new Mosquitto();
  await mosquitto.start();
  return {
    url: mosquitto.url,
    async restart() {
      await mosquitto.stop();
      await mosquitto.start();
    },
    close: () => mosquitto.close(),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The broker of the running describe block. */
let brokerName: 'aedes' | 'mosquitto' = 'aedes';

// aedes does not hand retained messages to the subscriptions of a persistent session (seen here), so on
// aedes the bridge runs with a clean session; Mosquitto runs the default.
function configFor(url: string) {
  return parseConfig(`mqtt:\n  url: ${url}\n${brokerName === 'aedes' ? '  persistent_session: false\n' : ''}`);
}

async function startBridge(url: string, extra: Partial<ConstructorParameters<typeof Bridge>[0]> = {}): Promise<Bridge> {
  const bridge = new Bridge({ config: configFor(url), version: '9.9.9', birthDelayMaxMs: 20, reconnectMinMs: 50, reconnectMaxMs: 200, ...extra });
  cleanups.push(() => bridge.stop());
  await bridge.start();
  await bridge.waitConnected(AbortSignal.timeout(10_000));
  return bridge;
}

async function client(url: string, subscriptions?: string[]): Promise<TestMqttClient> {
  const c = await TestMqttClient.connect(url, subscriptions);
  cleanups.push(() => c.close());
  return c;
}

for (const [name, startBroker] of [['aedes', startAedes], ['mosquitto', startMosquitto]] as const) {
  describe(`bridge on ${name}`, () => {
    async function broker(): Promise<BrokerUnderTest> {
      brokerName = name;
      const b = await startBroker();
      cleanups.push(() => b.close());
      return b;
    }

    it('publishes the bridge device, retained, and announces itself online with its version', async () => {
      const b = await broker();
      await startBridge(b.url);
      // A client that subscribes afterwards sees the retained messages: what Home Assistant sees at start.
      const ha = await client(b.url, ['homeassistant/#', 'camflow/#']);
      const config = await ha.waitFor('homeassistant/device/camflow_bridge/config');
      expect(config.retain).toBe(true);
      expect(JSON.parse(config.text)).toMatchObject({ dev: { ids: ['camflow_bridge'], sw: '9.9.9' }, o: { name: 'camflow', sw: '9.9.9' } });
      expect((await ha.waitFor('camflow/bridge/availability')).text).toBe('online');
      expect((await ha.waitFor('camflow/bridge/version')).text).toBe('9.9.9');
      expect((await ha.waitFor('camflow/bridge/cameras_online')).text).toBe('0');
    });

    it('publishes offline on a clean stop', async () => {
      const b = await broker();
      const bridge = await startBridge(b.url);
      const watcher = await client(b.url, ['camflow/bridge/availability']);
      await watcher.waitFor('camflow/bridge/availability', (m) => m.text === 'online');
      const mark = watcher.mark();
      await bridge.stop();
      const offline = await watcher.waitFor('camflow/bridge/availability', (m) => m.text === 'offline', { fromIndex: mark });
      expect(offline.text).toBe('offline');
    });

    it('refuses an unknown or malformed command with a clear message on camflow/bridge/error, not retained', async () => {
      const b = await broker();
      await startBridge(b.url);
      const ha = await client(b.url, ['camflow/bridge/error']);
      await ha.publish('camflow/garage/snapshot/press', 'PRESS');
      const error = await ha.waitFor('camflow/bridge/error');
      expect(JSON.parse(error.text)).toEqual({ topic: 'camflow/garage/snapshot/press', error: "unknown camera 'garage'" });
      expect(error.retain).toBe(false);
    });

    it('re-publishes discovery and states when Home Assistant says online', async () => {
      const b = await broker();
      await startBridge(b.url);
      const ha = await client(b.url, []);
      await ha.subscribe(['homeassistant/device/+/config', 'camflow/bridge/#']);
      await ha.waitFor('homeassistant/device/camflow_bridge/config');
      await ha.waitFor('camflow/bridge/availability');
      await ha.waitFor('camflow/bridge/cameras_online');
      const mark = ha.mark();
      await ha.publish('homeassistant/status', 'online', { qos: 0 });
      const config = await ha.waitFor('homeassistant/device/camflow_bridge/config', () => true, { fromIndex: mark });
      expect(config.retain).toBe(false); // a live delivery: the bridge sent it again
      await ha.waitFor('camflow/bridge/availability', (m) => m.text === 'online', { fromIndex: mark });
      // Configs go out before states.
      const after = ha.received.slice(mark);
      expect(after.findIndex((m) => m.topic.startsWith('homeassistant/'))).toBeLessThan(after.findIndex((m) => m.topic === 'camflow/bridge/availability'));
    });

    it('clears the discovery of a camera that is no longer configured', async () => {
      const b = await broker();
      const old = await client(b.url, []);
      const stale = { dev: { ids: ['camflow_gone'], via_device: 'camflow_bridge' }, o: { name: 'camflow', sw: '0.1' }, cmps: { camera: { p: 'camera', topic: 'camflow/gone/snapshot', unique_id: 'camflow_gone_camera' } } };
      const foreign = { dev: { ids: ['0x1234'] }, o: { name: 'Zigbee2MQTT' }, cmps: {} };
      await old.publish('homeassistant/device/camflow_gone/config', JSON.stringify(stale), { retain: true });
      await old.publish('homeassistant/device/zigbee_lamp/config', JSON.stringify(foreign), { retain: true });
      const watcher = await client(b.url, ['homeassistant/device/+/config']);
      await watcher.waitFor('homeassistant/device/camflow_gone/config');
      await startBridge(b.url);
      const cleared = await watcher.next((m) => m.topic === 'homeassistant/device/camflow_gone/config');
      expect(cleared.payload.length).toBe(0);
      // Another integration's device is left alone; a fresh subscriber sees no stale camflow device.
      const fresh = await client(b.url, []);
      await fresh.subscribe(['homeassistant/device/+/config']);
      await fresh.waitFor('homeassistant/device/zigbee_lamp/config');
      await fresh.waitFor('homeassistant/device/camflow_bridge/config');
      expect(fresh.on('homeassistant/device/camflow_gone/config')).toEqual([]);
    });

    it('removes a component the bridge no longer has by reducing it to its platform first', async () => {
      const b = await broker();
      const old = await client(b.url, []);
      const ghost = {
        dev: { ids: ['camflow_bridge'] },
        o: { name: 'camflow', sw: '0.0.1' },
        cmps: { ghost: { p: 'sensor', state_topic: 'camflow/bridge/ghost', unique_id: 'camflow_bridge_ghost' } },
      };
      await old.publish('homeassistant/device/camflow_bridge/config', JSON.stringify(ghost), { retain: true });
      const watcher = await client(b.url, ['homeassistant/device/camflow_bridge/config']);
      await watcher.waitFor('homeassistant/device/camflow_bridge/config');
      const mark = watcher.mark();
      await startBridge(b.url);
      const reduced = await watcher.waitFor('homeassistant/device/camflow_bridge/config', (m) => m.text.includes('ghost'), { fromIndex: mark });
      expect(JSON.parse(reduced.text).cmps.ghost).toEqual({ p: 'sensor' });
      const final = await watcher.waitFor('homeassistant/device/camflow_bridge/config', (m) => !m.text.includes('ghost'), { fromIndex: watcher.received.indexOf(reduced) });
      expect(JSON.parse(final.text).cmps).toHaveProperty('cameras_online');
    });

    it('reconnects after a broker restart and re-publishes everything the broker forgot', async () => {
      const b = await broker();
      await startBridge(b.url);
      await b.restart();
      // The restarted broker has no retained messages: a new subscriber sees them only if the bridge re-published.
      const ha = await client(b.url, []);
      await ha.subscribe(['homeassistant/device/+/config', 'camflow/bridge/availability']);
      expect(JSON.parse((await ha.waitFor('homeassistant/device/camflow_bridge/config')).text)).toMatchObject({ o: { name: 'camflow' } });
      expect((await ha.waitFor('camflow/bridge/availability')).text).toBe('online');
    });
  });
}

describe('reconnect backoff', () => {
  it('doubles from the minimum and never exceeds the cap', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const delay = backoffDelay(attempt, 1000, 30_000);
      expect(delay).toBeGreaterThanOrEqual(Math.min(30_000, 1000 * 2 ** attempt) * 0.75);
      expect(delay).toBeLessThanOrEqual(30_000);
    }
  });
});

describe('last will', () => {
  it('makes the broker publish offline when the bridge process dies without a goodbye', async () => {
    const mosquitto = new Mosquitto();
    cleanups.push(() => mosquitto.close());
    await mosquitto.start();
    const watcher = await client(mosquitto.url, ['camflow/bridge/availability']);
    // A real crash: a separate process connects with the will, then gets SIGKILL.
    const script = `
      import { MqttConnection } from 'camflow-mqtt-bridge';
      import { noopLogger } from '@camflow/core';
      const c = new MqttConnection({ url: ${JSON.stringify(mosquitto.url)}, will: { topic: 'camflow/bridge/availability', payload: 'offline' }, logger: noopLogger });
      c.start();
      await c.waitConnected();
      await c.publish('camflow/bridge/availability', 'online', { qos: 1, retain: true });
      process.stdout.write('ready\\n');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    await once(child.stdout, 'data');
    await watcher.waitFor('camflow/bridge/availability', (m) => m.text === 'online');
    child.kill('SIGKILL');
    const offline = await watcher.next((m) => m.topic === 'camflow/bridge/availability' && m.text === 'offline');
    expect(offline.text).toBe('offline');
  });
});
