/** A value set from Home Assistant survives a bridge restart: the overlay shows it, not `--`. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('overlay values across a restart', () => {
  it('are kept in the data directory and written again by the next bridge', async () => {
    const camera = new HikvisionSimulator();
    await camera.start();
    cleanups.push(() => camera.stop());
    const stateDir = await mkdtemp(join(tmpdir(), 'camflow-values-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const config = parseConfig(
      `mqtt:\n  embedded: { port: 0 }\noverlay_sync:\n  interval: 100ms\ncameras:\n  - { id: yard, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: password,\n      overlays: [{ id: 1, text: "Outside {{value.temperature:0.1}} C" }] }\n`,
      { env: {} },
    );
    const first = new Bridge({ config, version: '1.0.0', stateDir });
    await first.start();
    const ha = await TestMqttClient.connect(first.brokerUrl!, ['camflow/yard/overlay/1']);
    await ha.publish('camflow/yard/overlay/1/set', '21.5');
    await expect.poll(() => camera.overlay(1, 1)?.text, { timeout: 10_000 }).toBe('Outside 21.5 C');
    await ha.close();
    await first.stop();
    // The camera forgets too (a reboot), so only the bridge can bring the value back.
    camera.editOverlay(1, 1, { text: '' });
    const second = new Bridge({ config, version: '1.0.0', stateDir });
    cleanups.push(() => second.stop());
    await second.start();
    await expect.poll(() => camera.overlay(1, 1)?.text, { timeout: 10_000 }).toBe('Outside 21.5 C');
    const seen: string[] = [];
    const watch = await TestMqttClient.connect(second.brokerUrl!, ['camflow/yard/overlay/1']);
    cleanups.push(() => watch.close());
    await expect.poll(() => watch.on('camflow/yard/overlay/1').map((m) => m.text).concat(seen), { timeout: 5000 }).toContain('21.5');
    expect(camera.requestLog.filter((e) => e.method === 'PUT').length).toBeGreaterThan(0);
  });
});
