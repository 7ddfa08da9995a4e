/**
 * Ring doorbells and cameras through the bridge, against the fake Ring cloud (ring-client-api's real
 * REST client): Home Assistant discovers a Doorbell event entity on a doorbell (not on a stick-up
 * cam), a ding the watchdog finds is published once as a doorbell ring and a camera event, motion
 * turns the Motion sensor on and off again, and no token reaches MQTT.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig, ringLogin } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const PICTURE = await readFile(new URL('../fixtures/detect/people.jpg', import.meta.url));
let dir: string;
let cloud: FakeRingCloud;
let bridge: Bridge;
let ha: TestMqttClient | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-ring-'));
  cloud = new FakeRingCloud({ email: 'me@example.com', password: 'pw-secret' });
  const base = await cloud.start();
  process.env.CAMFLOW_RING_API_BASE = base;
  cloud.devices.add({ id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE });
  cloud.devices.add({ id: 202, description: 'Garden', doorbell: false, snapshot: PICTURE });
  await ringLogin({ email: 'me@example.com', password: 'pw-secret', dataDir: dir, apiBase: base, askCode: () => Promise.reject(new Error('no 2FA')) });
  const config = parseConfig(
    [
      'mqtt:',
      '  embedded: { port: 0 }',
      '  snapshot_interval: 1h',
      'cameras:',
      '  - { id: front, type: ring, device: Front Door, push: false, watchdog: 200ms, event_hold: 1s, data_dir: ' + JSON.stringify(dir) + ' }',
      '  - { id: garden, type: ring, device: 202, push: false, watchdog: 200ms, data_dir: ' + JSON.stringify(dir) + ' }',
    ].join('\n'),
  );
  bridge = new Bridge({ config, version: '1.0.0' });
  await bridge.start();
});

afterEach(async () => {
  await ha?.close();
  ha = undefined;
  await bridge.stop();
  await cloud.stop();
  delete process.env.CAMFLOW_RING_API_BASE;
  await rm(dir, { recursive: true, force: true });
});

describe('bridge with Ring devices', () => {
  it('a doorbell gets a Doorbell event entity, a stick-up cam does not; both show Ring details and a snapshot', async () => {
    ha = await TestMqttClient.connect(bridge.brokerUrl!, ['homeassistant/#', 'camflow/#']);
    const front = JSON.parse((await ha.waitFor('homeassistant/device/camflow_front/config', (m) => m.text.includes('doorbell'))).text);
    expect(front.dev).toMatchObject({ mf: 'Ring', mdl: expect.stringMatching(/Doorbell/) });
    expect(front.cmps.doorbell).toMatchObject({ p: 'event', device_class: 'doorbell', event_types: ['ring'], state_topic: 'camflow/front/doorbell' });
    expect(Object.keys(front.cmps)).toEqual(expect.arrayContaining(['camera', 'motion', 'event', 'snapshot_button']));
    const garden = JSON.parse((await ha.waitFor('homeassistant/device/camflow_garden/config', (m) => JSON.parse(m.text).dev?.mf === 'Ring')).text);
    expect(garden.cmps.doorbell).toBeUndefined();
    expect((await ha.waitFor('camflow/front/snapshot')).payload.equals(PICTURE)).toBe(true);
    expect(ha.received.some((m) => /rt-[0-9a-f]{24}|at-[0-9a-f]{24}|pw-secret/.test(m.text))).toBe(false);
  });

  it('a ding rings the doorbell once; motion turns the sensor on and off', async () => {
    ha = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/#']);
    await ha.waitFor('camflow/front/availability', (m) => m.text === 'online');
    // The watchdog's first poll marks where the history stands.
    await waitFor(async () => (await readFile(join(dir, 'ring-events-front.json'), 'utf8').catch(() => '')).includes('watermark'));
    const mark = ha.mark();
    const ding = cloud.devices.addEvent(101, { kind: 'ding' });
    const ring = await ha.waitFor('camflow/front/doorbell', () => true, { fromIndex: mark });
    expect(JSON.parse(ring.text)).toMatchObject({ event_type: 'ring' });
    expect(ring.retain).toBe(false);
    const event = JSON.parse((await ha.waitFor('camflow/front/event', () => true, { fromIndex: mark })).text);
    expect(event).toMatchObject({ event_type: 'ring', camera_event: 'ding', time: ding.at.toISOString() });
    cloud.devices.addEvent(101, { kind: 'motion' });
    const on = ha.received.length;
    await ha.waitFor('camflow/front/motion', (m) => m.text === 'ON', { fromIndex: mark });
    await ha.waitFor('camflow/front/motion', (m) => m.text === 'OFF', { fromIndex: on });
    // Several more polls: the ding is not rung twice.
    const polls = cloud.requests.filter((r) => r.path.endsWith('/events')).length;
    await waitFor(() => cloud.requests.filter((r) => r.path.endsWith('/events')).length >= polls + 4);
    expect(ha.received.slice(mark).filter((m) => m.topic === 'camflow/front/doorbell')).toHaveLength(1);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
