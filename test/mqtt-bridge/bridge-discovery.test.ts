import { describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import {
  Bridge,
  bridgeDiscovery,
  bridgeTopics,
  type CameraDescription,
  cameraDiscovery,
  commandTarget,
  type DevicePayload,
  haEventType,
  removalPayload,
} from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

// Keys Home Assistant accepts per platform (home-assistant.io platform pages, see
// shared/reference/ha-mqtt-discovery.md), written out here independently of the bridge's tables.
const COMMON = ['p', 'platform', 'name', 'unique_id', 'availability', 'availability_mode', 'entity_category', 'icon', 'qos'];
const VALID_KEYS: Record<string, string[]> = {
  camera: [...COMMON, 'topic', 'image_encoding'],
  binary_sensor: [...COMMON, 'state_topic', 'payload_on', 'payload_off', 'device_class', 'off_delay', 'expire_after'],
  sensor: [...COMMON, 'state_topic', 'device_class', 'state_class', 'unit_of_measurement', 'value_template', 'expire_after', 'json_attributes_topic', 'json_attributes_template'],
  button: [...COMMON, 'command_topic', 'payload_press', 'device_class'],
  text: [...COMMON, 'command_topic', 'state_topic', 'min', 'max', 'mode', 'pattern'],
  switch: [...COMMON, 'command_topic', 'state_topic', 'payload_on', 'payload_off', 'state_on', 'state_off', 'optimistic'],
  event: [...COMMON, 'state_topic', 'event_types', 'device_class'],
};
const REQUIRED: Record<string, string[]> = {
  camera: ['topic'],
  binary_sensor: ['state_topic'],
  sensor: ['state_topic'],
  button: ['command_topic'],
  text: ['command_topic'],
  switch: ['command_topic'],
  event: ['state_topic', 'event_types'],
};

const topics = bridgeTopics('camflow', 'homeassistant');
const context = { topics, origin: { name: 'camflow', sw: '1.2.3' } };

const yard: CameraDescription = {
  id: 'yard',
  name: 'Yard camera',
  kind: 'hikvision',
  details: { manufacturer: 'Hikvision', model: 'DS-2CD2386G2-IU', serialNumber: 'DS-2CD2386G2-IU00000000AAWRJ00000000', firmware: 'V5.7.18' },
  overlays: [
    { id: 1, mode: 'text', max: 44 },
    { id: 2, mode: 'value', valueName: 'temperature', max: 44 },
  ],
};
const trail: CameraDescription = { id: 'trail', name: 'Trail', kind: 'p2p', overlays: [] };

function assertValidForHomeAssistant(payload: DevicePayload): void {
  expect(payload.o.name).toBe('camflow');
  expect(Array.isArray(payload.dev['ids'])).toBe(true);
  const ids = new Set<string>();
  for (const [key, component] of Object.entries(payload.cmps)) {
    const valid = VALID_KEYS[component.p];
    expect(valid, `platform of ${key}`).toBeDefined();
    for (const option of Object.keys(component)) expect(valid, `${key}.${option}`).toContain(option);
    for (const option of REQUIRED[component.p] ?? []) expect(component, `${key} needs ${option}`).toHaveProperty(option);
    expect(typeof component.unique_id).toBe('string');
    expect(ids.has(component.unique_id!)).toBe(false);
    ids.add(component.unique_id!);
  }
}

describe('camera discovery', () => {
  it('publishes one device config per camera under homeassistant/device/<id>/config', () => {
    const { topic, payload } = cameraDiscovery(yard, context);
    expect(topic).toBe('homeassistant/device/camflow_yard/config');
    expect(payload.dev).toEqual({
      ids: ['camflow_yard'],
      name: 'Yard camera',
      mf: 'Hikvision',
      mdl: 'DS-2CD2386G2-IU',
      sw: 'V5.7.18',
      sn: 'DS-2CD2386G2-IU00000000AAWRJ00000000',
      via_device: 'camflow_bridge',
    });
    expect(payload.o).toEqual({ name: 'camflow', sw: '1.2.3' });
    expect(payload.availability).toEqual([{ topic: 'camflow/bridge/availability' }, { topic: 'camflow/yard/availability' }]);
    expect(payload.availability_mode).toBe('all');
  });

  it('gives a Hikvision camera every entity the issue lists, with exact topics', () => {
    const { cmps } = cameraDiscovery(yard, context).payload;
    expect(Object.keys(cmps)).toEqual([
      'camera', 'motion', 'event', 'snapshot_button', 'record_button', 'recording', 'overlay_sync', 'overlay_ms', 'last_error',
      'overlay_1', 'overlay_1_shown', 'overlay_2', 'overlay_2_shown',
    ]);
    expect(cmps['camera']).toEqual({ p: 'camera', name: null, topic: 'camflow/yard/snapshot', unique_id: 'camflow_yard_camera' });
    expect(cmps['motion']).toEqual({
      p: 'binary_sensor', name: 'Motion', device_class: 'motion', state_topic: 'camflow/yard/motion',
      payload_on: 'ON', payload_off: 'OFF', unique_id: 'camflow_yard_motion',
    });
    expect(cmps['event']).toMatchObject({ p: 'event', state_topic: 'camflow/yard/event', unique_id: 'camflow_yard_event' });
    expect(cmps['event']?.['event_types']).toEqual(expect.arrayContaining(['motion', 'line_crossing', 'intrusion', 'other']));
    expect(cmps['snapshot_button']).toMatchObject({ p: 'button', command_topic: 'camflow/yard/snapshot/press', payload_press: 'PRESS' });
    expect(cmps['record_button']).toMatchObject({ p: 'button', command_topic: 'camflow/yard/record/press' });
    expect(cmps['overlay_sync']).toMatchObject({
      p: 'switch', command_topic: 'camflow/yard/overlay_sync/set', state_topic: 'camflow/yard/overlay_sync', entity_category: 'config',
    });
    expect(cmps['overlay_ms']).toMatchObject({ p: 'sensor', unit_of_measurement: 'ms', entity_category: 'diagnostic' });
    // The last error stays visible while the camera is down: only the bridge's availability applies.
    expect(cmps['last_error']).toMatchObject({ entity_category: 'diagnostic', availability: [{ topic: 'camflow/bridge/availability' }] });
    expect(cmps['overlay_2']).toEqual({
      p: 'text', name: 'Overlay 2 temperature', command_topic: 'camflow/yard/overlay/2/set', state_topic: 'camflow/yard/overlay/2',
      min: 0, max: 44, mode: 'text', unique_id: 'camflow_yard_overlay_2',
    });
  });

  it('gives a P2P camera a camera, a snapshot button and the connection-path sensor, no overlays or motion', () => {
    const { cmps, dev } = cameraDiscovery(trail, context).payload;
    expect(Object.keys(cmps)).toEqual(['camera', 'snapshot_button', 'last_error', 'connection']);
    expect(cmps['connection']).toMatchObject({ p: 'sensor', state_topic: 'camflow/trail/connection', entity_category: 'diagnostic' });
    expect(dev).toEqual({ ids: ['camflow_trail'], name: 'Trail', mf: 'TrailCam', via_device: 'camflow_bridge' });
  });

  it('gives a Hikvision camera without overlays no overlay sync switch nor cycle sensor', () => {
    const plain = { ...yard, overlays: [] };
    expect(Object.keys(cameraDiscovery(plain, context).payload.cmps)).toEqual([
      'camera', 'motion', 'event', 'snapshot_button', 'record_button', 'recording', 'last_error',
    ]);
    expect(commandTarget(plain).accepts.has('overlay_sync')).toBe(false);
  });

  it('uses only keys valid for each Home Assistant platform, with unique ids', () => {
    assertValidForHomeAssistant(cameraDiscovery(yard, context).payload);
    assertValidForHomeAssistant(cameraDiscovery(trail, context).payload);
    assertValidForHomeAssistant(bridgeDiscovery(context).payload);
  });

  it('never puts a secret into a topic or payload of a real bridge run', async () => {
    const secrets = { camUser: 'yardoperator', camPassword: 'Yard-S3cret-pw', p2pPassword: 'Trail-S3cret-pw', mqttPassword: 'Mqtt-S3cret-pw' };
    const camera = new HikvisionSimulator({ username: secrets.camUser, password: secrets.camPassword, heartbeatMs: 1000 });
    await camera.start();
    const config = parseConfig(
      [
        'mqtt:',
        '  embedded: { port: 0 }',
        '  username: bridge',
        '  password: ${MQTT_PASSWORD}',
        'cameras:',
        `  - { id: yard, type: hikvision, host: 127.0.0.1, port: ${camera.port}, username: ${secrets.camUser}, password: "\${CAM_PASSWORD}",`,
        '      overlays: [{ id: 1, text: "Yard {{value.note}}" }] }',
        // Never answers: its failure is published too (last_error), and must not quote the credentials.
        '  - { id: trail, type: p2p, did: LBCS-000000-CCCJJ, host: 127.0.0.1, lan_port: 9, relay: false, timeout: 300ms, username: admin, password: "${P2P_PASSWORD}" }',
      ].join('\n'),
      { env: { MQTT_PASSWORD: secrets.mqttPassword, CAM_PASSWORD: secrets.camPassword, P2P_PASSWORD: secrets.p2pPassword } },
    );
    const bridge = new Bridge({ config, version: '1.0.0' });
    let ha: TestMqttClient | undefined;
    try {
      await bridge.start();
      // The embedded broker takes only the configured login.
      ha = await TestMqttClient.connect(bridge.brokerUrl!, ['#'], { username: 'bridge', password: secrets.mqttPassword });
      await ha.waitFor('camflow/yard/availability', (m) => m.text === 'online');
      await ha.waitFor('camflow/yard/snapshot');
      await ha.waitFor('camflow/trail/last_error');
      await ha.publish('camflow/yard/overlay/1/set', 'hello');
      await ha.waitFor('camflow/yard/overlay/1', (m) => m.text === 'hello');
      const mark = ha.mark();
      await ha.publish('homeassistant/status', 'online', { qos: 0 });
      await ha.waitFor('homeassistant/device/camflow_yard/config', () => true, { fromIndex: mark });
    } finally {
      await bridge.stop();
      await ha?.close();
      await camera.stop();
    }
    const messages = ha.received.filter((m) => m.topic !== 'homeassistant/status' && !m.topic.endsWith('/set'));
    expect(messages.map((m) => m.topic)).toEqual(expect.arrayContaining(['homeassistant/device/camflow_yard/config', 'homeassistant/device/camflow_trail/config']));
    for (const message of messages) {
      for (const secret of Object.values(secrets)) {
        expect(message.topic).not.toContain(secret);
        expect(message.payload.toString('latin1'), message.topic).not.toContain(secret);
      }
    }
  }, 20_000);

  it('caps a text entity at 255 characters, the most Home Assistant allows', () => {
    const wide = { ...yard, overlays: [{ id: 1, mode: 'text' as const, max: 1000 }] };
    expect(cameraDiscovery(wide, context).payload.cmps['overlay_1']?.['max']).toBe(255);
  });

  it('follows a custom base topic and discovery prefix', () => {
    const custom = bridgeTopics('/home/cams/', 'ha');
    const { topic, payload } = cameraDiscovery(yard, { topics: custom, origin: context.origin });
    expect(topic).toBe('ha/device/camflow_yard/config');
    expect(payload.cmps['camera']?.['topic']).toBe('home/cams/yard/snapshot');
    expect(custom.haStatus).toBe('ha/status');
  });
});

describe('bridge discovery', () => {
  it('describes the bridge device the cameras point to with via_device', () => {
    const { topic, payload } = bridgeDiscovery(context);
    expect(topic).toBe('homeassistant/device/camflow_bridge/config');
    expect(payload.dev).toEqual({ ids: ['camflow_bridge'], name: 'camflow bridge', mf: 'camflow', mdl: 'MQTT bridge', sw: '1.2.3' });
    expect(payload.cmps['state']).toMatchObject({
      p: 'binary_sensor', device_class: 'connectivity', state_topic: 'camflow/bridge/availability', payload_on: 'online', payload_off: 'offline',
    });
    expect(payload.cmps['state']).not.toHaveProperty('availability');
    expect(payload.cmps['version']).toMatchObject({ state_topic: 'camflow/bridge/version' });
    expect(payload.cmps['cameras_online']).toMatchObject({ state_topic: 'camflow/bridge/cameras_online' });
    // Without a pipeline in this process, no job sensors.
    expect(Object.keys(payload.cmps)).not.toContain('jobs_running');
  });

  it('gives a bridge that works a pipeline its job, detection and event-loop sensors, all read from bridge/jobs', () => {
    const { payload } = bridgeDiscovery({ ...context, pipeline: true });
    assertValidForHomeAssistant(payload);
    for (const key of ['jobs_queued', 'jobs_running', 'jobs_failed', 'detect_fps', 'loop_delay']) {
      expect(payload.cmps[key], key).toMatchObject({ p: 'sensor', state_topic: 'camflow/bridge/jobs', unique_id: `camflow_bridge_${key}` });
    }
    expect(payload.cmps['jobs_running']).toMatchObject({ value_template: '{{ value_json.running_count }}', json_attributes_topic: 'camflow/bridge/jobs' });
    expect(payload.cmps['loop_delay']).toMatchObject({ entity_category: 'diagnostic', unit_of_measurement: 'ms', device_class: 'duration' });
  });
});

describe('removal and events', () => {
  it('reduces a removed component to its platform before it disappears', () => {
    const before = cameraDiscovery(yard, context).payload;
    const after = cameraDiscovery({ ...yard, overlays: [yard.overlays[0]!] }, context).payload;
    const removal = removalPayload(before, after);
    expect(removal?.cmps['overlay_2']).toEqual({ p: 'text' });
    expect(removal?.cmps['overlay_1']).toEqual(before.cmps['overlay_1']);
    expect(removalPayload(after, after)).toBeUndefined();
  });

  it('maps camera event types to event entity types, unknown ones to other', () => {
    expect(haEventType('VMD')).toBe('motion');
    expect(haEventType('linedetection')).toBe('line_crossing');
    expect(haEventType('fielddetection')).toBe('intrusion');
    expect(haEventType('somethingnew')).toBe('other');
  });

  it('derives the accepted commands from the same tables as the entities', () => {
    const hik = commandTarget(yard);
    expect([...hik.accepts].sort()).toEqual(['overlay_sync', 'overlay_text', 'record', 'snapshot']);
    expect(hik.overlays.get(2)).toBe(44);
    expect([...commandTarget(trail).accepts]).toEqual(['snapshot']);
  });
});
