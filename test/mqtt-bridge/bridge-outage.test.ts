/**
 * QoS 1 commands sent while the bridge is away: Home Assistant publishes at QoS 1 (the discovery's
 * shared qos), the bridge keeps a persistent session under a stable client id, so a persistent
 * Mosquitto queues the command and the bridge carries it out once when it is back.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const starts = (camera: HikvisionSimulator): number => camera.requestLog.filter((r) => r.method === 'PUT' && r.path.includes('/record/control/manual/start/')).length;

describe('a broker restart with a command in between', () => {
  it('carries out a QoS 1 command published while the bridge was reconnecting, exactly once', async () => {
    const broker = new Mosquitto({ persistence: true });
    await broker.start();
    cleanups.push(() => broker.close());
    const camera = new HikvisionSimulator({ heartbeatMs: 1000 });
    await camera.start();
    cleanups.push(() => camera.stop());
    const stateDir = await mkdtemp(join(tmpdir(), 'camflow-outage-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const config = parseConfig(
      `mqtt:\n  url: ${broker.url}\n  record_duration: 1s\ncameras:\n  - { id: yard, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password }\n`,
      { env: {} },
    );
    // Reconnects wait 4 s: the command lands in that window, while the bridge is away.
    const bridge = new Bridge({ config, version: '1.0.0', stateDir, reconnectMinMs: 4000, reconnectMaxMs: 4000 });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    await bridge.waitConnected(AbortSignal.timeout(10_000));
    const watch = await TestMqttClient.connect(broker.url, ['camflow/yard/availability']);
    await watch.waitFor('camflow/yard/availability', (m) => m.text === 'online');
    await watch.close();

    await broker.stop();
    await broker.start();
    expect(bridge.connected).toBe(false);
    const ha = await TestMqttClient.connect(broker.url, ['camflow/yard/recording']);
    cleanups.push(() => ha.close());
    await ha.publish('camflow/yard/record/press', '1', { qos: 1 });
    expect(bridge.connected).toBe(false);

    await bridge.waitConnected(AbortSignal.timeout(15_000));
    await ha.waitFor('camflow/yard/recording', (m) => m.text === 'ON', { timeoutMs: 10_000 });
    const on = ha.mark();
    await ha.waitFor('camflow/yard/recording', (m) => m.text === 'OFF', { fromIndex: on, timeoutMs: 10_000 }).catch((e: unknown) => { throw new Error(`${String(e)} ${JSON.stringify(ha.received.map((m) => m.text))} starts=${starts(camera)}`); });
    expect(starts(camera)).toBe(1);
    // Still once a while later: nothing is replayed on the next reconnect.
    await broker.stop();
    await broker.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await bridge.waitConnected(AbortSignal.timeout(15_000));
    expect(starts(camera)).toBe(1);
  }, 60_000);

  it('takes up commands queued during a short absence on restart, and drops those of a long (or unknown) one', async () => {
    const broker = new Mosquitto();
    await broker.start();
    cleanups.push(() => broker.close());
    const camera = new HikvisionSimulator({ heartbeatMs: 1000 });
    await camera.start();
    cleanups.push(() => camera.stop());
    const stateDir = await mkdtemp(join(tmpdir(), 'camflow-outage-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const config = parseConfig(
      `mqtt:\n  url: ${broker.url}\n  record_duration: 1s\ncameras:\n  - { id: yard, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password }\n`,
      { env: {} },
    );
    const logs: string[] = [];
    const logger = createLogger({ sink: (r) => void logs.push(r.message) });
    const run = async (withState: boolean): Promise<void> => {
      const bridge = new Bridge({ config, version: '1.0.0', logger, ...(withState ? { stateDir } : {}) });
      await bridge.start();
      await bridge.waitConnected(AbortSignal.timeout(10_000));
      await new Promise((resolve) => setTimeout(resolve, 2500)); // past the moment a queue is handed over
      await bridge.stop();
    };
    const ha = await TestMqttClient.connect(broker.url, []);
    cleanups.push(() => ha.close());

    await run(true); // the session exists, and when it was last online is noted
    await ha.publish('camflow/yard/record/press', '1', { qos: 1 });
    await run(true); // back within minutes: carried out
    expect(starts(camera)).toBe(1);

    await ha.publish('camflow/yard/record/press', '1', { qos: 1 });
    await run(false); // no note of when it was last online: the queue is taken as stale
    expect(starts(camera)).toBe(1);
    expect(logs.some((line) => /^Dropped camflow\/yard\/record\/press: queued by the broker while the bridge was away/.test(line))).toBe(true);
  }, 60_000);
});
