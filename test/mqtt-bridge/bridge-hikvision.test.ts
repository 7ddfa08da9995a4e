/**
 * Hikvision cameras through the bridge: the strict simulator on loopback, the bridge on the embedded
 * broker (and on a real Mosquitto for commands), Home Assistant played by a second MQTT client.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '@camflow/core';
import { HikvisionSimulator, type RequestLogEntry } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { Mosquitto } from '../helpers/mosquitto.js';
import { TestMqttClient } from '../helpers/mqtt.js';

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const snapshotGets = (log: readonly RequestLogEntry[]): RequestLogEntry[] => log.filter((r) => r.method === 'GET' && r.path.endsWith('/picture'));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  camera: HikvisionSimulator;
  bridge: Bridge;
  ha: TestMqttClient;
  config: ReturnType<typeof parseConfig>;
}

async function setup(options: { brokerUrl?: string; snapshotInterval?: string } = {}): Promise<Setup> {
  const camera = new HikvisionSimulator({ serialNumber: 'DS-2CD2386G2-IU00000000AAWRJ00000000', model: 'DS-2CD2386G2-IU', heartbeatMs: 1000 });
  await camera.start();
  cleanups.push(() => camera.stop());
  const mqtt = options.brokerUrl === undefined ? '  embedded: { port: 0 }' : `  url: ${options.brokerUrl}`;
  const config = parseConfig(
    [
      'mqtt:',
      mqtt,
      `  snapshot_interval: ${options.snapshotInterval ?? '300ms'}`,
      '  record_duration: 1s',
      'overlay_sync:',
      '  interval: 100ms',
      'cameras:',
      '  - id: yard',
      '    name: Yard camera',
      '    type: hikvision',
      '    host: 127.0.0.1',
      `    port: ${camera.port}`,
      '    username: admin',
      '    password: ${YARD_PASSWORD}',
      '    timeout: 1s',
      '    overlays:',
      '      - id: 1',
      '        text: "Yard"',
      '      - id: 2',
      '        text: "Outside {{value.temperature:0.1}} C"',
      '      - id: 3',
      '        text: "Water level at the north gate: {{value.level:0.00}} m"',
    ].join('\n'),
    { env: { YARD_PASSWORD: 'password' } },
  );
  const bridge = new Bridge({ config, version: '1.0.0', reconnectMinMs: 50, reconnectMaxMs: 200 });
  cleanups.push(() => bridge.stop());
  await bridge.start();
  await bridge.waitConnected(AbortSignal.timeout(10_000));
  const ha = await TestMqttClient.connect(bridge.brokerUrl!, ['homeassistant/#', 'camflow/#']);
  cleanups.push(() => ha.close());
  await ha.waitFor('camflow/yard/availability', (m) => m.text === 'online');
  return { camera, bridge, ha, config };
}

describe('bridge with a Hikvision camera', () => {
  it('publishes the device as the camera describes itself, with the device text limit as max', async () => {
    const { ha, camera } = await setup();
    const config = JSON.parse((await ha.waitFor('homeassistant/device/camflow_yard/config')).text);
    expect(config.dev).toEqual({
      ids: ['camflow_yard'],
      name: 'Yard camera',
      mf: 'Hikvision',
      mdl: 'DS-2CD2386G2-IU',
      sw: expect.any(String),
      sn: 'DS-2CD2386G2-IU00000000AAWRJ00000000',
      via_device: 'camflow_bridge',
    });
    expect(config.cmps.overlay_1).toMatchObject({ p: 'text', max: 44, command_topic: 'camflow/yard/overlay/1/set' });
    // Value mode: the value sits inside "Outside … C" (10 characters of the template's own), so 44 - 10.
    expect(config.cmps.overlay_2).toMatchObject({ name: 'Overlay 2 temperature', max: 34 });
    expect((await ha.waitFor('camflow/yard/motion')).text).toBe('OFF');
    expect((await ha.waitFor('camflow/yard/overlay_sync')).text).toBe('ON');
    expect((await ha.waitFor('camflow/yard/overlay/1')).text).toBe('Yard');
    // What the camera shows: the template filled in (no value set yet: the placeholder), not the template.
    expect((await ha.waitFor('camflow/yard/overlay/2/shown')).text).toBe('Outside -- C');
    await ha.publish('camflow/yard/overlay/2/set', '21.46');
    expect((await ha.waitFor('camflow/yard/overlay/2/shown', (m) => m.text !== 'Outside -- C')).text).toBe('Outside 21.5 C');
    expect(camera.overlay(1, 2)?.text).toBe('Outside 21.5 C');
    expect((await ha.waitFor('camflow/yard/snapshot')).payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
    expect(ha.received.some((m) => m.text.includes('password'))).toBe(false);
  });

  it('turns motion from the alert stream into ON then OFF, with a fresh snapshot first and an event that is not retained', async () => {
    const { camera, ha, bridge } = await setup();
    await camera.waitForAlertStreams(1, AbortSignal.timeout(10_000));
    await ha.waitFor('camflow/yard/motion', (m) => m.text === 'OFF');
    const mark = ha.mark();
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    const on = await ha.waitFor('camflow/yard/motion', (m) => m.text === 'ON', { fromIndex: mark });
    const event = await ha.waitFor('camflow/yard/event', () => true, { fromIndex: mark });
    expect(JSON.parse(event.text)).toMatchObject({ event_type: 'motion', camera_event: 'vmd', channel: 1 });
    expect(event.retain).toBe(false);
    const after = ha.received.slice(mark);
    const snapshotIndex = after.findIndex((m) => m.topic === 'camflow/yard/snapshot');
    expect(snapshotIndex).toBeGreaterThanOrEqual(0);
    expect(snapshotIndex).toBeLessThan(after.indexOf(on));
    camera.triggerEvent({ type: 'VMD', state: 'inactive' });
    await ha.waitFor('camflow/yard/motion', (m) => m.text === 'OFF', { fromIndex: mark });
    // A client subscribing later (Home Assistant after a restart) gets no old event to fire on.
    const late = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/yard/#']);
    cleanups.push(() => late.close());
    await late.waitFor('camflow/yard/availability');
    expect(late.on('camflow/yard/event')).toEqual([]);
  });

  it('on motion publishes a picture requested after the event, even while an older request is in flight', async () => {
    const { camera, ha } = await setup({ snapshotInterval: '1s' });
    await camera.waitForAlertStreams(1, AbortSignal.timeout(10_000));
    await ha.waitFor('camflow/yard/motion', (m) => m.text === 'OFF');
    await ha.waitFor('camflow/yard/snapshot');
    // The next interval request is answered (logged) but its JPEG dribbles out: it is in flight.
    const before = camera.requestLog.length;
    camera.setFaults({ slowBodyMs: 300 });
    await vi.waitFor(() => expect(snapshotGets(camera.requestLog.slice(before))).toHaveLength(1), { timeout: 10_000, interval: 5 });
    const mark = ha.mark();
    const triggered = camera.requestLog.length;
    camera.triggerEvent({ type: 'VMD', state: 'active' });
    camera.setFaults({ slowBodyMs: 0 });
    let requestsBeforeOn = -1;
    await ha.waitFor('camflow/yard/motion', (m) => {
      if (m.text !== 'ON') return false;
      requestsBeforeOn = camera.requestLog.length; // at the moment the ON arrives
      return true;
    }, { fromIndex: mark });
    const fresh = snapshotGets(camera.requestLog.slice(triggered, requestsBeforeOn));
    expect(fresh.map((r) => r.status)).toEqual([200]);
    // ...and its picture went out before the ON.
    const after = ha.received.slice(mark);
    const on = after.findIndex((m) => m.topic === 'camflow/yard/motion' && m.text === 'ON');
    expect(after.slice(0, on).some((m) => m.topic === 'camflow/yard/snapshot')).toBe(true);
  });

  it('publishes a JPEG when the snapshot button is pressed', async () => {
    const { ha } = await setup();
    await ha.waitFor('camflow/yard/snapshot');
    const mark = ha.mark();
    await ha.publish('camflow/yard/snapshot/press', 'PRESS');
    const image = await ha.waitFor('camflow/yard/snapshot', () => true, { fromIndex: mark });
    expect(image.payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
  });

  it('records a clip of N seconds from the record button', async () => {
    const { camera, ha } = await setup();
    // The initial OFF follows availability; marking before it arrived would take it for the clip's end.
    await ha.waitFor('camflow/yard/recording', (m) => m.text === 'OFF');
    const mark = ha.mark();
    await ha.publish('camflow/yard/record/press', '1');
    await ha.waitFor('camflow/yard/recording', (m) => m.text === 'ON', { fromIndex: mark });
    expect(camera.recordingTracks.has(101)).toBe(true);
    await ha.waitFor('camflow/yard/recording', (m) => m.text === 'OFF', { fromIndex: mark });
    expect(camera.recordingTracks.has(101)).toBe(false);
  });

  it('marks the camera unavailable when it stops answering, and available and re-synced when it is back', async () => {
    const { camera, ha, bridge } = await setup();
    const mark = ha.mark();
    camera.setFaults({ offline: true });
    await ha.waitFor('camflow/yard/availability', (m) => m.text === 'offline', { fromIndex: mark });
    expect((await ha.waitFor('camflow/yard/last_error', () => true, { fromIndex: mark })).text).not.toBe('');
    const back = ha.mark();
    const backAt = camera.requestLog.length;
    camera.setFaults({ offline: false });
    await ha.waitFor('camflow/yard/availability', (m) => m.text === 'online', { fromIndex: back });
    await ha.waitFor('camflow/yard/snapshot', () => true, { fromIndex: back });
    expect((await ha.waitFor('camflow/bridge/cameras_online', (m) => m.text === '1', { fromIndex: back })).text).toBe('1');
    // Re-synced: it may have rebooted and lost its overlays, so every one is written again...
    await vi.waitFor(() => expect(camera.requestLog.slice(backAt).some((r) => r.method === 'PUT' && r.path.includes('/overlays/text') && r.status === 200)).toBe(true), { timeout: 10_000, interval: 20 });
    expect(camera.overlay(1, 1)?.text).toBe('Yard');
    // ...and what Home Assistant needs is on the broker: the device as the camera describes itself, and its states.
    const fresh = await TestMqttClient.connect(bridge.brokerUrl!, ['homeassistant/device/camflow_yard/config', 'camflow/yard/+']);
    cleanups.push(() => fresh.close());
    const config = JSON.parse((await fresh.waitFor('homeassistant/device/camflow_yard/config')).text);
    expect(config.dev).toMatchObject({ sn: 'DS-2CD2386G2-IU00000000AAWRJ00000000', mdl: 'DS-2CD2386G2-IU' });
    expect((await fresh.waitFor('camflow/yard/availability')).text).toBe('online');
    expect((await fresh.waitFor('camflow/yard/motion')).text).toBe('OFF');
    expect((await fresh.waitFor('camflow/yard/snapshot')).payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
  });

  it('refuses overlay text longer than the camera allows, on camflow/bridge/error', async () => {
    const { ha } = await setup();
    await ha.publish('camflow/yard/overlay/1/set', 'x'.repeat(45));
    const error = JSON.parse((await ha.waitFor('camflow/bridge/error')).text);
    expect(error).toEqual({ topic: 'camflow/yard/overlay/1/set', error: 'text is 45 characters, overlay 1 takes at most 44' });
  });

  it('refuses a template value whose rendered overlay would exceed the camera limit', async () => {
    const { camera, ha } = await setup();
    await vi.waitFor(() => expect(camera.overlay(1, 2)?.text).toBe('Outside -- C'), { timeout: 10_000, interval: 20 });
    await ha.publish('camflow/yard/overlay/2/set', 'x'.repeat(35));
    const tooLong = JSON.parse((await ha.waitFor('camflow/bridge/error')).text);
    expect(tooLong).toEqual({ topic: 'camflow/yard/overlay/2/set', error: 'text is 35 characters, overlay 2 takes at most 34' });
    // 11 characters fit overlay 3's entity (44 - 33), but its format {{value.level:0.00}} adds ".00": 47 on the camera.
    const mark = ha.mark();
    await ha.publish('camflow/yard/overlay/3/set', '12345678901');
    const formatted = JSON.parse((await ha.waitFor('camflow/bridge/error', () => true, { fromIndex: mark })).text);
    expect(formatted).toEqual({
      topic: 'camflow/yard/overlay/3/set',
      error: 'overlay 3 would show 47 characters ("Water level at the north gate: 12345678901.00 m"), the camera takes at most 44',
    });
    // Nothing else happened: neither value was set; the next valid one is.
    await ha.publish('camflow/yard/overlay/3/set', '7');
    await ha.waitFor('camflow/yard/overlay/3', (m) => m.text === '7');
    expect(ha.on('camflow/yard/overlay/3').map((m) => m.text)).toEqual(['7']);
    expect(ha.on('camflow/yard/overlay/2')).toEqual([]);
    await vi.waitFor(() => expect(camera.overlay(1, 3)?.text).toBe('Water level at the north gate: 7.00 m'), { timeout: 10_000, interval: 20 });
  });
});

describe('commands through a real Mosquitto', () => {
  it('a second MQTT client changes the overlay text and the template value on the camera', async () => {
    const mosquitto = new Mosquitto();
    cleanups.push(() => mosquitto.close());
    await mosquitto.start();
    const { camera, ha } = await setup({ brokerUrl: mosquitto.url });
    await ha.publish('camflow/yard/overlay/1/set', 'Hello from HA');
    await ha.publish('camflow/yard/overlay/2/set', '21.46');
    await vi.waitFor(() => expect(camera.overlay(1, 1)?.text).toBe('Hello from HA'), { timeout: 10_000, interval: 20 });
    await vi.waitFor(() => expect(camera.overlay(1, 2)?.text).toBe('Outside 21.5 C'), { timeout: 10_000, interval: 20 });
    await ha.waitFor('camflow/yard/overlay/2', (m) => m.text === '21.46');
    // Overlay sync off: the camera is left alone.
    await ha.publish('camflow/yard/overlay_sync/set', 'OFF');
    await ha.waitFor('camflow/yard/overlay_sync', (m) => m.text === 'OFF');
  });
});

describe('bridge restart', () => {
  it('keeps a configured camera\'s device (never clears it) when the bridge restarts', async () => {
    const mosquitto = new Mosquitto();
    cleanups.push(() => mosquitto.close());
    await mosquitto.start();
    const { bridge, config, camera } = await setup({ brokerUrl: mosquitto.url });
    await bridge.stop();
    // A slow camera: the bridge is connected (and sees its old retained config) long before the
    // camera answers who it is.
    camera.setFaults({ latencyMs: 300 });
    const watcher = await TestMqttClient.connect(mosquitto.url, ['homeassistant/device/camflow_yard/config', 'camflow/yard/availability']);
    cleanups.push(() => watcher.close());
    await watcher.waitFor('homeassistant/device/camflow_yard/config');
    const mark = watcher.mark();
    const again = new Bridge({ config, version: '1.0.0' });
    cleanups.push(() => again.stop());
    await again.start();
    await watcher.waitFor('camflow/yard/availability', (m) => m.text === 'online', { fromIndex: mark });
    expect(watcher.received.slice(mark).filter((m) => m.topic.startsWith('homeassistant/') && m.payload.length === 0)).toEqual([]);
  });
});


describe('broker restart with a camera', () => {
  it('re-publishes the camera\'s exact discovery config and its states after Mosquitto restarts', async () => {
    const mosquitto = new Mosquitto();
    cleanups.push(() => mosquitto.close());
    await mosquitto.start();
    const { camera } = await setup({ brokerUrl: mosquitto.url, snapshotInterval: '1h' });
    await vi.waitFor(() => expect(camera.overlay(1, 1)?.text).toBe('Yard'), { timeout: 10_000, interval: 20 });
    await mosquitto.stop(); // persistence off: every retained message is gone
    await mosquitto.start();
    // The bridge reconnects and re-publishes: wait for the camera's config and states to come back at all...
    const topics = ['availability', 'motion', 'recording', 'overlay_sync', 'overlay/1', 'snapshot'].map((t) => `camflow/yard/${t}`);
    const watcher = await TestMqttClient.connect(mosquitto.url, ['homeassistant/device/camflow_yard/config', ...topics]);
    cleanups.push(() => watcher.close());
    for (const topic of ['homeassistant/device/camflow_yard/config', ...topics]) await watcher.waitFor(topic);
    // ...then Home Assistant starting now finds all of it retained on the restarted broker.
    const ha = await TestMqttClient.connect(mosquitto.url, ['homeassistant/device/camflow_yard/config', 'camflow/yard/+', 'camflow/yard/overlay/+']);
    cleanups.push(() => ha.close());
    const config = await ha.waitFor('homeassistant/device/camflow_yard/config');
    expect(config.retain).toBe(true);
    const onOff = { payload_on: 'ON', payload_off: 'OFF' };
    const shown = (id: number) => ({ p: 'sensor', name: `Overlay ${id} shown`, state_topic: `camflow/yard/overlay/${id}/shown`, unique_id: `camflow_yard_overlay_${id}_shown` });
    const text = (id: number, name: string, max: number) => ({
      p: 'text', name, command_topic: `camflow/yard/overlay/${id}/set`, state_topic: `camflow/yard/overlay/${id}`,
      min: 0, max, mode: 'text', unique_id: `camflow_yard_overlay_${id}`,
    });
    expect(JSON.parse(config.text)).toEqual({
      dev: {
        ids: ['camflow_yard'], name: 'Yard camera', mf: 'Hikvision', mdl: 'DS-2CD2386G2-IU', sw: 'V5.7.3',
        sn: 'DS-2CD2386G2-IU00000000AAWRJ00000000', via_device: 'camflow_bridge',
      },
      o: { name: 'camflow', sw: '1.0.0' },
      availability: [{ topic: 'camflow/bridge/availability' }, { topic: 'camflow/yard/availability' }],
      availability_mode: 'all',
      qos: 1,
      cmps: {
        camera: { p: 'camera', name: null, topic: 'camflow/yard/snapshot', unique_id: 'camflow_yard_camera' },
        motion: { p: 'binary_sensor', name: 'Motion', device_class: 'motion', state_topic: 'camflow/yard/motion', ...onOff, unique_id: 'camflow_yard_motion' },
        event: {
          p: 'event', name: 'Event', device_class: 'motion', state_topic: 'camflow/yard/event',
          event_types: ['motion', 'line_crossing', 'intrusion', 'region_entrance', 'region_exit', 'tamper', 'video_loss', 'input', 'other'],
          unique_id: 'camflow_yard_event',
        },
        snapshot_button: { p: 'button', name: 'Take snapshot', command_topic: 'camflow/yard/snapshot/press', payload_press: 'PRESS', unique_id: 'camflow_yard_snapshot_button' },
        record_button: { p: 'button', name: 'Record clip', command_topic: 'camflow/yard/record/press', payload_press: 'PRESS', unique_id: 'camflow_yard_record_button' },
        recording: { p: 'binary_sensor', name: 'Recording', device_class: 'running', state_topic: 'camflow/yard/recording', ...onOff, unique_id: 'camflow_yard_recording' },
        overlay_sync: {
          p: 'switch', name: 'Overlay sync', command_topic: 'camflow/yard/overlay_sync/set', state_topic: 'camflow/yard/overlay_sync', ...onOff,
          entity_category: 'config', unique_id: 'camflow_yard_overlay_sync',
        },
        overlay_ms: {
          p: 'sensor', name: 'Overlay cycle', state_topic: 'camflow/yard/overlay_ms', device_class: 'duration', unit_of_measurement: 'ms',
          state_class: 'measurement', entity_category: 'diagnostic', unique_id: 'camflow_yard_overlay_ms',
        },
        last_error: {
          p: 'sensor', name: 'Last error', state_topic: 'camflow/yard/last_error', entity_category: 'diagnostic',
          availability: [{ topic: 'camflow/bridge/availability' }], unique_id: 'camflow_yard_last_error',
        },
        overlay_1: text(1, 'Overlay 1', 44),
        overlay_1_shown: shown(1),
        overlay_2: text(2, 'Overlay 2 temperature', 34),
        overlay_2_shown: shown(2),
        overlay_3: text(3, 'Overlay 3 level', 11),
        overlay_3_shown: shown(3),
      },
    });
    // The states came back too, retained.
    const state = async (topic: string) => {
      const m = await ha.waitFor(topic);
      expect(m.retain, topic).toBe(true);
      return m;
    };
    expect((await state('camflow/yard/availability')).text).toBe('online');
    expect((await state('camflow/yard/motion')).text).toBe('OFF');
    expect((await state('camflow/yard/recording')).text).toBe('OFF');
    expect((await state('camflow/yard/overlay_sync')).text).toBe('ON');
    expect((await state('camflow/yard/overlay/1')).text).toBe('Yard');
    expect((await state('camflow/yard/snapshot')).payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
  });
});
