/** What a failing camera or a noisy client costs the log: one line per problem, not one per poll. */
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogRecord, parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a quiet bridge', () => {
  it('warns once about a camera refusing the password, publishes no overlay time for failed cycles, and rate-limits refused commands', async () => {
    const camera = new HikvisionSimulator({ password: 'other' });
    await camera.start();
    cleanups.push(() => camera.stop());
    const config = parseConfig(
      `mqtt:\n  embedded: { port: 0 }\n  snapshot_interval: 200ms\noverlay_sync:\n  interval: 200ms\ncameras:\n  - { id: gate, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: admin, password: wrong, auth_backoff: 100ms,\n      overlays: [{ id: 1, text: "{{counter}}" }] }\n`,
      { env: {} },
    );
    const logs: LogRecord[] = [];
    const bridge = new Bridge({ config, version: '1.0.0', logger: createLogger({ level: 'debug', sink: (r) => void logs.push(r) }) });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    const ha = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/#']);
    cleanups.push(() => ha.close());
    // Several snapshot intervals and overlay cycles with the password refused each time.
    await expect.poll(() => camera.stats.failedLogins, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const snapshotWarnings = logs.filter((r) => r.level === 'warn' && r.message.includes("Camera 'gate': snapshot failed"));
    expect(snapshotWarnings.length).toBe(1);
    expect(ha.on('camflow/gate/overlay_ms')).toEqual([]);

    for (let i = 0; i < 30; i++) await ha.publish('camflow/gate/overlay_sync/set', 'maybe');
    await expect.poll(() => ha.on('camflow/bridge/error').length, { timeout: 5000 }).toBe(30);
    expect(logs.filter((r) => r.level === 'warn' && r.message.startsWith('Command on camflow/gate/overlay_sync/set refused')).length).toBe(1);
  });
});
