/**
 * The exact publish options (QoS, retain) of everything the bridge sends, as the broker received
 * them: a real Mosquitto, Home Assistant played by an MQTT 5 client subscribed at QoS 2 with "retain
 * as published", so each message arrives with its publisher's QoS and retain flag. Discovery and
 * availability are retained at QoS 1, states retained, events and errors never retained (a replayed
 * "motion" must never fire an automation again).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';
import { type Received, TestMqttClient } from '../helpers/mqtt.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const RETAINED_QOS1 = { qos: 1, retain: true };
const RETAINED_QOS0 = { qos: 0, retain: true };
const LIVE_QOS1 = { qos: 1, retain: false };

/** Every distinct (qos, retain) seen per topic, in the order first seen. */
function optionsByTopic(messages: readonly Received[]): Record<string, { qos: number; retain: boolean }[]> {
  const out: Record<string, { qos: number; retain: boolean }[]> = {};
  for (const { topic, qos, retain } of messages) {
    const seen = (out[topic] ??= []);
    if (!seen.some((o) => o.qos === qos && o.retain === retain)) seen.push({ qos, retain });
  }
  return out;
}

describe('publish options', () => {
  it('retains discovery, availability and states; never events, errors or presses', async () => {
    const mosquitto = new Mosquitto();
    cleanups.push(() => mosquitto.close());
    await mosquitto.start();
    const camera = new HikvisionSimulator({ heartbeatMs: 1000 });
    await camera.start();
    cleanups.push(() => camera.stop());
    // A retained record press left on the broker (a misconfigured client): it must not start a recording.
    const stale = await TestMqttClient.connect(mosquitto.url, []);
    cleanups.push(() => stale.close());
    await stale.publish('camflow/yard/record/press', 'PRESS', { retain: true });
    const ha = await TestMqttClient.connect(mosquitto.url, ['homeassistant/#', 'camflow/#'], { protocolVersion: 5 });
    cleanups.push(() => ha.close());
    const config = parseConfig(
      [
        'mqtt:',
        `  url: ${mosquitto.url}`,
        '  snapshot_interval: 1h',
        'overlay_sync: { interval: 100ms }',
        'cameras:',
        '  - { id: yard, type: hikvision, host: 127.0.0.1, port: ' + String(camera.port) + ', username: admin, password: password,',
        '      overlays: [{ id: 1, text: "Yard {{value.note}}" }] }',
      ].join('\n'),
    );
    const bridge = new Bridge({ config, version: '1.0.0' });
    cleanups.push(() => bridge.stop());
    await bridge.start();
    await ha.waitFor('camflow/yard/availability', (m) => m.text === 'online');
    await ha.waitFor('camflow/yard/overlay_ms');
    await camera.waitForAlertStreams(1, AbortSignal.timeout(10_000));
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    await ha.waitFor('camflow/yard/event');
    camera.triggerEvent({ type: 'VMD', state: 'inactive' });
    await ha.waitFor('camflow/yard/motion', (m) => m.text === 'OFF', { fromIndex: ha.received.findIndex((m) => m.topic === 'camflow/yard/event') });
    await ha.publish('camflow/yard/overlay/1/set', 'hi');
    await vi.waitFor(() => expect(camera.overlay(1, 1)?.text).toBe('Yard hi'), { timeout: 10_000, interval: 20 });
    await ha.publish('camflow/yard/snapshot/press', 'PRESS');
    await ha.publish('camflow/yard/reboot/press', 'PRESS');
    await ha.waitFor('camflow/bridge/error');
    await bridge.stop();
    await ha.waitFor('camflow/bridge/availability', (m) => m.text === 'offline');

    const fromBridge = ha.received.filter((m) => !m.topic.endsWith('/set') && !m.topic.endsWith('/press'));
    expect(optionsByTopic(fromBridge)).toEqual({
      'homeassistant/device/camflow_bridge/config': [RETAINED_QOS1],
      'homeassistant/device/camflow_yard/config': [RETAINED_QOS1],
      'camflow/bridge/availability': [RETAINED_QOS1],
      'camflow/yard/availability': [RETAINED_QOS1],
      'camflow/bridge/version': [RETAINED_QOS0],
      'camflow/bridge/cameras_online': [RETAINED_QOS0],
      'camflow/yard/snapshot': [RETAINED_QOS0],
      'camflow/yard/motion': [RETAINED_QOS0],
      'camflow/yard/recording': [RETAINED_QOS0],
      'camflow/yard/overlay_sync': [RETAINED_QOS0],
      'camflow/yard/overlay/1': [RETAINED_QOS0],
      'camflow/yard/overlay/1/shown': [RETAINED_QOS0],
      'camflow/yard/overlay_ms': [RETAINED_QOS0],
      'camflow/yard/event': [LIVE_QOS1],
      'camflow/bridge/error': [LIVE_QOS1],
    });
    // The presses we sent were live (not retained); the retained one left on the broker was ignored.
    expect(ha.received.filter((m) => m.topic === 'camflow/yard/snapshot/press').map((m) => m.retain)).toEqual([false]);
    expect(ha.on('camflow/yard/recording').map((m) => m.text)).not.toContain('ON');
    expect(camera.requestLog.some((r) => r.path.includes('/record'))).toBe(false);
    expect(JSON.parse(ha.on('camflow/bridge/error')[0]!.text)).toEqual({ topic: 'camflow/yard/reboot/press', error: "unknown command 'reboot/press'" });
  });
});
