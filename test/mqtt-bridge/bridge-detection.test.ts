/**
 * Detection in Home Assistant, end to end: a simulated camera sees a person (it serves a real photo)
 * and reports motion; the bridge starts a detect job on its pipeline (the real detector on the worker
 * pool); the Detection event, the Person binary_sensor (on, then off after the hold time), the
 * annotated picture and the discovery of those entities reach a real MQTT client.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipeline, parseConfig, type Pipeline } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge, detectionFromConfig } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/detect/${name}`, import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

describe('detection on the MQTT bridge', () => {
  it('a motion event on a simulated camera becomes a person Detection event, a Person sensor on then off, and the annotated picture; a face enrolled over MQTT is then named', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-detect-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sim = new HikvisionSimulator({ snapshot: fixture('empty.jpg'), heartbeatMs: 1000 });
    await sim.start();
    cleanups.push(() => sim.stop());
    const config = parseConfig(
      [
        'mqtt:',
        '  embedded: { port: 0 }',
        '  detection_hold: 1500ms',
        'pipeline:',
        `  data_dir: ${join(dir, 'data')}`,
        `  media_dir: ${join(dir, 'media')}`,
        'detect:',
        '  threads: 1',
        '  cameras:',
        '    gate: { labels: [person, car], frames: 2, interval: 200ms }',
        'cameras:',
        `  - { id: gate, type: hikvision, host: 127.0.0.1, port: ${sim.port}, username: admin, password: password }`,
      ].join('\n'),
    );
    const pipeline: Pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, detect: config.detect });
    cleanups.push(() => pipeline.close(2000));
    await pipeline.engine.startWorkers();
    const bridge = new Bridge({
      config,
      pipeline: pipeline.engine,
      // As camflow bridge does it: the cameras listed under detect.cameras, by label group.
      detection: detectionFromConfig(config),
    });
    await bridge.start();
    cleanups.push(() => bridge.stop());
    const ha = await TestMqttClient.connect(bridge.brokerUrl ?? '', ['homeassistant/device/+/config', 'camflow/gate/#', 'camflow/bridge/face_enrolled', 'camflow/bridge/error']);
    cleanups.push(() => ha.close());

    const discovery = JSON.parse((await ha.waitFor('homeassistant/device/camflow_gate/config')).text) as { cmps: Record<string, Record<string, unknown>> };
    expect(discovery.cmps['detection']).toMatchObject({ p: 'event', state_topic: 'camflow/gate/detection', event_types: ['person', 'vehicle', 'face'] });
    expect(discovery.cmps['detected_person']).toMatchObject({ p: 'binary_sensor', state_topic: 'camflow/gate/detected/person' });
    expect(discovery.cmps['detection_image']).toMatchObject({ p: 'image', image_topic: 'camflow/gate/detection/image', content_type: 'image/jpeg' });
    expect(discovery.cmps['face']).toMatchObject({ p: 'sensor', state_topic: 'camflow/gate/face' });
    await ha.waitFor('camflow/gate/detected/person', (m) => m.text === 'OFF');

    await sim.waitForAlertStreams(1);
    sim.setSnapshot(fixture('people.jpg')); // someone walked in
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    const event = JSON.parse((await ha.waitFor('camflow/gate/detection', () => true, { timeoutMs: 60_000 })).text) as Record<string, unknown>;
    expect(event).toMatchObject({ event_type: 'person', label: 'person' });
    expect(event['score']).toBeGreaterThan(0.4);
    expect(ha.on('camflow/gate/detection').every((m) => !m.retain)).toBe(true);
    const on = await ha.waitFor('camflow/gate/detected/person', (m) => m.text === 'ON');
    const image = await ha.waitFor('camflow/gate/detection/image');
    expect(image.payload.subarray(0, 2).toString('hex')).toBe('ffd8');
    // Off again once the hold time passes without another person.
    await ha.waitFor('camflow/gate/detected/person', (m) => m.text === 'OFF', { fromIndex: ha.on('camflow/gate/detected/person').indexOf(on) + 1, timeoutMs: 10_000 });

    // A face enrolled from Home Assistant (a JPEG on the enrol topic), then seen by the camera in another photo: named.
    expect(discovery.cmps['face_enroll']).toMatchObject({ p: 'text', command_topic: 'camflow/gate/face_enroll/set' });
    await ha.publish('camflow/bridge/face_enroll/Anna/set', fixture('face-a-1.jpg'));
    const enrolled = JSON.parse((await ha.waitFor('camflow/bridge/face_enrolled', () => true, { timeoutMs: 60_000 })).text) as { name: string; samples: number };
    expect(enrolled).toEqual({ name: 'Anna', samples: 1 });
    await ha.publish('camflow/bridge/face_enroll/Bad/set', 'not a picture');
    expect(JSON.parse((await ha.waitFor('camflow/bridge/error')).text)).toMatchObject({ topic: 'camflow/bridge/face_enroll/Bad/set', error: 'the payload is not a JPEG' });
    sim.setSnapshot(fixture('face-a-2.jpg'));
    sim.triggerEvent({ type: 'VMD', state: 'inactive' });
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    expect((await ha.waitFor('camflow/gate/face', (m) => m.text === 'Anna', { timeoutMs: 60_000 })).text).toBe('Anna');
  }, 180_000);
});
