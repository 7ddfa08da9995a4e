/** A 200 MB command through a real Mosquitto (its default limit lets it through): refused, bridge up. */
import { afterEach, describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('an oversize command', () => {
  it('is refused by its size on bridge/error, and the bridge goes on working', async () => {
    const broker = new Mosquitto();
    await broker.start();
    cleanups.push(() => broker.close());
    const camera = new HikvisionSimulator();
    await camera.start();
    cleanups.push(() => camera.stop());
    const config = parseConfig(
      `mqtt:\n  url: ${broker.url}\ncameras:\n  - { id: cam0, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password,\n      overlays: [{ id: 1, text: "a" }, { id: 2, text: "{{value.note}}" }] }\n`,
      { env: {} },
    );
    const bridge = new Bridge({ config, version: '1.0.0' });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    await bridge.waitConnected(AbortSignal.timeout(10_000));
    const ha = await TestMqttClient.connect(broker.url, ['camflow/bridge/error', 'camflow/cam0/overlay/2', 'camflow/bridge/availability']);
    cleanups.push(() => ha.close());
    const sender = await connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(() => sender.endAsync());
    await sender.publishAsync('camflow/cam0/overlay/2/set', Buffer.alloc(200 * 1024 * 1024, 0x61), { qos: 1 });
    const refusal = await ha.waitFor('camflow/bridge/error', () => true, { timeoutMs: 60_000 });
    expect(JSON.parse(refusal.text)).toEqual({ topic: 'camflow/cam0/overlay/2/set', error: 'payload of 209715200 bytes refused: a command is at most 8192 bytes' });
    // Still up: a normal command is carried out.
    await ha.publish('camflow/cam0/overlay/2/set', 'fine');
    await expect.poll(() => camera.overlay(1, 2)?.text, { timeout: 10_000 }).toBe('fine');
    expect(bridge.connected).toBe(true);
    expect(ha.on('camflow/bridge/availability').map((m) => m.text)).not.toContain('offline');
  }, 120_000);
});
