/** Two bridges with different base topics on one broker: each keeps its own devices. */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('two bridges on one broker', () => {
  it('scope their device ids and stale-device cleanup to their own instance', async () => {
    const broker = new Mosquitto();
    await broker.start();
    cleanups.push(() => broker.close());
    const camera = new HikvisionSimulator();
    await camera.start();
    cleanups.push(() => camera.stop());
    const config = (base: string) =>
      parseConfig(`mqtt:\n  url: ${broker.url}\n  base_topic: ${base}\ncameras:\n  - { id: yard, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password }\n`, { env: {} });
    const start = async (base: string): Promise<Bridge> => {
      const bridge = new Bridge({ config: config(base), version: '1.0.0' });
      await bridge.start();
      await bridge.waitConnected(AbortSignal.timeout(10_000));
      return bridge;
    };
    const first = await start('camflow');
    cleanups.push(() => first.stop());
    const second = await start('garage');
    cleanups.push(() => second.stop());
    const ha = await TestMqttClient.connect(broker.url, ['homeassistant/device/+/config']);
    cleanups.push(() => ha.close());
    const yard = JSON.parse((await ha.waitFor('homeassistant/device/camflow_yard/config', (m) => m.text !== '')).text) as { dev: { via_device: string }; cmps: Record<string, { unique_id?: string; command_topic?: string }> };
    const garageYard = JSON.parse((await ha.waitFor('homeassistant/device/camflow_garage_yard/config', (m) => m.text !== '')).text) as typeof yard;
    await ha.waitFor('homeassistant/device/camflow_bridge/config', (m) => m.text !== '');
    await ha.waitFor('homeassistant/device/camflow_garage_bridge/config', (m) => m.text !== '');
    expect(yard.dev.via_device).toBe('camflow_bridge');
    expect(garageYard.dev.via_device).toBe('camflow_garage_bridge');
    expect(garageYard.cmps['snapshot_button']?.unique_id).toBe('camflow_garage_yard_snapshot_button');
    expect(garageYard.cmps['snapshot_button']?.command_topic).toBe('garage/yard/snapshot/press');

    // Each bridge restarting sweeps stale devices: never the other one's.
    const mark = ha.mark();
    await first.stop();
    const again = await start('camflow');
    cleanups.push(() => again.stop());
    await second.stop();
    const secondAgain = await start('garage');
    cleanups.push(() => secondAgain.stop());
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cleared = ha.received.slice(mark).filter((m) => m.payload.length === 0).map((m) => m.topic);
    expect(cleared).toEqual([]);
  });
});
