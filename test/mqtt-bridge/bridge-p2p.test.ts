/** A TrailCam P2P camera through the bridge: the simulator over UDP on loopback, the embedded broker. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';
import { TrailCamSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';

const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
let camera: TrailCamSimulator;
let bridge: Bridge;
let ha: TestMqttClient | undefined;

beforeEach(async () => {
  camera = new TrailCamSimulator({ photos: 2 });
  await camera.start();
  const config = parseConfig(
    [
      'mqtt:',
      '  embedded: { port: 0 }',
      '  snapshot_interval: 1h',
      'cameras:',
      '  - id: trail',
      '    name: Trail camera',
      '    type: p2p',
      '    did: LBCS-000000-CCCJJ',
      '    host: 127.0.0.1',
      `    lan_port: ${camera.lanPort}`,
      `    ports: [${camera.sessionPort}]`,
      '    relay: false',
      '    username: admin',
      '    password: ${TRAIL_PASSWORD}',
      '    timeout: 3s',
    ].join('\n'),
    { env: { TRAIL_PASSWORD: 'admin' } },
  );
  bridge = new Bridge({ config, version: '1.0.0' });
  await bridge.start();
});

afterEach(async () => {
  await ha?.close();
  ha = undefined;
  await bridge.stop();
  await camera.stop();
});

describe('bridge with a P2P camera', () => {
  it('discovers the camera with its connection path and publishes the newest photo as the camera image', async () => {
    ha = await TestMqttClient.connect(bridge.brokerUrl!, ['homeassistant/#', 'camflow/#']);
    const config = JSON.parse((await ha.waitFor('homeassistant/device/camflow_trail/config')).text);
    expect(config.dev).toMatchObject({ ids: ['camflow_trail'], name: 'Trail camera', mf: 'TrailCam', mdl: 'KJK230', sw: '2.3.0.4' });
    expect(Object.keys(config.cmps)).toEqual(['camera', 'snapshot_button', 'last_error', 'connection']);
    const image = await ha.waitFor('camflow/trail/snapshot');
    expect(image.payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
    expect(['lan', 'direct']).toContain((await ha.waitFor('camflow/trail/connection')).text);
    expect((await ha.waitFor('camflow/trail/availability')).text).toBe('online');
    // Secrets never leave the bridge.
    expect(ha.received.some((m) => m.text.includes('admin'))).toBe(false);
  });

  it('takes a snapshot when the button is pressed, and refuses a record press it cannot do', async () => {
    ha = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/#']);
    await ha.waitFor('camflow/trail/availability', (m) => m.text === 'online');
    const first = await ha.waitFor('camflow/trail/snapshot');
    await ha.publish('camflow/trail/record/press', 'PRESS');
    const error = JSON.parse((await ha.waitFor('camflow/bridge/error')).text);
    expect(error).toEqual({ topic: 'camflow/trail/record/press', error: "camera 'trail' does not support record" });
    // The camera takes a new photo; only a request made after the press can fetch its thumbnail.
    const newest = camera.photos[0]!;
    camera.photos.unshift({ ...newest, mediaNum: newest.mediaNum + 1, mediaId: newest.mediaId + 1, mediaTime: newest.mediaTime + 60 });
    // A fresh subscriber: it gets the retained picture first, then whatever the press causes, live.
    const watcher = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/trail/snapshot']);
    try {
      const retained = await watcher.waitFor('camflow/trail/snapshot');
      expect(retained.retain).toBe(true);
      expect(retained.payload.equals(first.payload)).toBe(true);
      const mark = watcher.mark();
      await ha.publish('camflow/trail/snapshot/press', 'PRESS');
      const pressed = await watcher.waitFor('camflow/trail/snapshot', () => true, { fromIndex: mark });
      expect(pressed.retain).toBe(false); // live: sent because of the press, not replayed
      expect(pressed.payload.subarray(0, 3)).toEqual(JPEG_MAGIC);
      expect(pressed.payload.equals(first.payload)).toBe(false); // the new photo's thumbnail, from the camera
    } finally {
      await watcher.close();
    }
  });

  it('goes offline when the camera dies (no path answers), and counts it out of cameras_online', async () => {
    ha = await TestMqttClient.connect(bridge.brokerUrl!, ['camflow/#']);
    await ha.waitFor('camflow/trail/availability', (m) => m.text === 'online');
    await ha.waitFor('camflow/bridge/cameras_online', (m) => m.text === '1');
    await camera.stop();
    const mark = ha.mark();
    // The snapshot button makes the bridge talk to the camera: the session is gone and no path answers.
    await ha.publish('camflow/trail/snapshot/press', 'PRESS');
    await ha.waitFor('camflow/trail/availability', (m) => m.text === 'offline', { fromIndex: mark, timeoutMs: 20_000 });
    await ha.waitFor('camflow/bridge/cameras_online', (m) => m.text === '0', { fromIndex: mark, timeoutMs: 5000 });
    expect((await ha.waitFor('camflow/trail/last_error', () => true, { fromIndex: mark })).text).toMatch(/snapshot/);
  }, 40_000);
});
