/**
 * Ring doorbells and cameras through the bridge, against the fake Ring cloud (ring-client-api's real
 * REST client): Home Assistant discovers a Doorbell event entity on a doorbell (not on a stick-up
 * cam), a ding the watchdog finds is published once as a doorbell ring and a camera event, motion
 * turns the Motion sensor on and off again, the Download recordings button fetches its recordings as
 * jobs, and no token reaches MQTT.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipeline, parseConfig } from '@camflow/core';
import type { FakeRingCloud } from '@camflow/simulators';
import { startFakeRing } from '../helpers/ring.js';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const PICTURE = await readFile(new URL('../fixtures/detect/people.jpg', import.meta.url));
let dir: string;
let cloud: FakeRingCloud;
let bridge: Bridge;
let ha: TestMqttClient | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-ring-'));
  ({ cloud } = await startFakeRing(dir, [
    { id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE },
    { id: 202, description: 'Garden', doorbell: false, snapshot: PICTURE },
  ]));
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
    expect(front.cmps.event.event_types).toEqual(['motion', 'ring', 'other']);
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

describe('Ring recordings from Home Assistant', () => {
  it('Download recordings fetches the last hours as jobs and names the last clip', async () => {
    const clipFile = join(dir, 'clip.mp4');
    await new Promise<void>((resolve, reject) =>
      execFile('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=10', '-t', '1', '-c:v', 'libx264', '-preset', 'ultrafast', clipFile], (error) => (error === null ? resolve() : reject(error))),
    );
    const clip = await readFile(clipFile);
    cloud.devices.addEvent(101, { kind: 'ding', at: new Date(Date.now() - 20 * 60_000), recording: clip, duration: 1 });
    const config = parseConfig(
      [
        'mqtt:',
        '  embedded: { port: 0 }',
        '  download_span: 1h',
        'pipeline:',
        `  data_dir: ${JSON.stringify(join(dir, 'data'))}`,
        `  media_dir: ${JSON.stringify(join(dir, 'media'))}`,
        'cameras:',
        '  - { id: porch, type: ring, device: Front Door, push: false, data_dir: ' + JSON.stringify(dir) + ' }',
      ].join('\n'),
    );
    const pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras });
    await pipeline.engine.startWorkers();
    const jobsBridge = new Bridge({ config, pipeline: pipeline.engine });
    await jobsBridge.start();
    const client = await TestMqttClient.connect(jobsBridge.brokerUrl!, ['homeassistant/device/+/config', 'camflow/porch/last_clip', 'camflow/bridge/error', 'camflow/bridge/jobs']);
    try {
      const discovery = JSON.parse((await client.waitFor('homeassistant/device/camflow_porch/config', (m) => m.text.includes('download_button'))).text);
      expect(discovery.cmps.download_button).toMatchObject({ command_topic: 'camflow/porch/download/press' });
      await client.publish('camflow/porch/download/press', 'PRESS');
      const last = JSON.parse((await client.waitFor('camflow/porch/last_clip', (m) => m.text.includes('download'))).text) as { path: string; job: string };
      expect(last.job).toBe('download');
      expect((await readFile(last.path)).equals(clip)).toBe(true);
    } finally {
      await client.close();
      await jobsBridge.stop();
      await pipeline.close(2000);
    }
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
