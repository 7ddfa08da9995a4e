/**
 * The plugin in a real Homebridge against the Hikvision simulator, seen through hap-controller (a
 * HAP client from the registry, paired with the PIN): accessories, a snapshot over /resource,
 * MotionDetected by event subscription, and switches whose effect shows on the simulator.
 */
import { HikvisionSimulator } from '@camflow/simulators';
import hapController from 'hap-controller';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type HapAccessory, PIN, type RunningHomebridge, findCharacteristic, freePort, serviceName, shortType, startHomebridge } from './harness.js';

const { HttpClient } = hapController;
const SECRET = 'hb-s3cret-Pw';

describe('homebridge-camflow in a real Homebridge', () => {
  let sim: HikvisionSimulator;
  let hb: RunningHomebridge;
  let client: InstanceType<typeof HttpClient>;
  let camera: HapAccessory;
  let gone: HapAccessory;

  beforeAll(async () => {
    sim = new HikvisionSimulator({ username: 'admin', password: SECRET });
    await sim.start();
    const closedPort = await freePort(); // nothing listens there: a camera that does not answer
    hb = await startHomebridge({
      cameras: [
        {
          id: 'front',
          name: 'Front',
          type: 'hikvision',
          host: '127.0.0.1',
          port: sim.port,
          username: 'admin',
          password: SECRET,
          overlays: [{ id: 1, text: 'camflow homebridge' }],
        },
        { id: 'gone', name: 'Gone', type: 'hikvision', host: '127.0.0.1', port: closedPort, username: 'admin', password: SECRET, timeout: '1s' },
      ],
      snapshot_interval: 60,
    });
    client = new HttpClient('0E:11:22:33:44:55', '127.0.0.1', hb.port);
    await client.pairSetup(PIN);
    const { accessories } = (await client.getAccessories()) as unknown as { accessories: HapAccessory[] };
    // The serial number (30) is the camera id.
    const byId = (id: string): HapAccessory => {
      const found = accessories.find((a) => a.services.some((s) => s.characteristics.some((c) => shortType(c.type) === '30' && c.value === id)));
      if (found === undefined) throw new Error(`no accessory for camera ${id}`);
      return found;
    };
    camera = byId('front');
    gone = byId('gone');
  });

  afterAll(async () => {
    await client?.close();
    await hb?.stop();
    await sim?.stop();
  });

  it('shows the camera with stream management, a motion sensor and two switches', () => {
    const types = camera.services.map((s) => shortType(s.type));
    expect(types.filter((t) => t === '110').length).toBe(2);
    expect(types).toContain('85');
    const switches = camera.services.filter((s) => shortType(s.type) === '49').map(serviceName);
    expect(switches.sort()).toEqual(['Front Overlay sync', 'Front Record']);
    expect(hb.output()).toContain('[front] camera answers');
  });

  it('serves a snapshot from its cache over /resource', async () => {
    const jpeg = await client.getImage(640, 360, camera.aid);
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(jpeg.subarray(-2).toString('hex')).toBe('ffd9');
  });

  it('sets MotionDetected when the camera sends a motion event (event subscription)', async () => {
    const id = findCharacteristic(camera, '85', '22');
    const seen = new Promise<unknown>((resolve) => {
      client.on('event', (event: { characteristics: { aid: number; iid: number; value: unknown }[] }) => {
        for (const c of event.characteristics) if (`${c.aid}.${c.iid}` === id && (c.value === true || c.value === 1)) resolve(true);
      });
    });
    await client.subscribeCharacteristics([id]);
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    expect(await seen).toBe(true);
  });

  it('record switch starts and stops recording on the camera', async () => {
    const record = camera.services.filter((s) => shortType(s.type) === '49').findIndex((s) => serviceName(s) === 'Front Record');
    const id = findCharacteristic(camera, '49', '25', record);
    // A record job on the plugin's pipeline: the camera records on its own storage until the switch goes off.
    await client.setCharacteristics({ [id]: true });
    await vi.waitFor(() => expect(sim.recordingTracks.has(101)).toBe(true), { timeout: 10_000, interval: 100 });
    await client.setCharacteristics({ [id]: false });
    await vi.waitFor(() => expect(sim.recordingTracks.has(101)).toBe(false), { timeout: 10_000, interval: 100 });
  });

  it('overlay sync switch writes the configured overlay to the camera', async () => {
    const index = camera.services.filter((s) => shortType(s.type) === '49').findIndex((s) => serviceName(s) === 'Front Overlay sync');
    const id = findCharacteristic(camera, '49', '25', index);
    await client.setCharacteristics({ [id]: true });
    // The engine writes on its own cycle; the simulator's state is where the effect shows.
    await vi.waitFor(() => expect(sim.overlay(1, 1)?.text).toBe('camflow homebridge'), { timeout: 10_000, interval: 100 });
    await client.setCharacteristics({ [id]: false });
  });

  it('shows a camera that does not answer as not responding, the other one unaffected', async () => {
    await hb.waitFor(/\[gone\] camera not responding/);
    // Insecure mode answers reads without pairing: plain HTTP, as the Home app's status shows it.
    const read = async (id: string): Promise<{ status?: number; value?: unknown }> => {
      const response = await fetch(`http://127.0.0.1:${hb.port}/characteristics?id=${id}`);
      const body = (await response.json()) as { characteristics: { status?: number; value?: unknown }[] };
      return body.characteristics[0] ?? {};
    };
    expect((await read(findCharacteristic(gone, '85', '22'))).status).toBe(-70402);
    const front = await read(findCharacteristic(camera, '85', '22'));
    expect(front.status ?? 0).toBe(0);
    expect(typeof front.value === 'boolean' || typeof front.value === 'number').toBe(true);
  });

  it('never logs the camera password', () => {
    expect(hb.output()).not.toContain(SECRET);
  });
});

describe('a bad platform config', () => {
  it('logs the bad key in one line and leaves Homebridge running', async () => {
    const hb = await startHomebridge({ cameras: [{ id: 'front', type: 'hikvision', hots: '127.0.0.1', username: 'a', password: 'b' }] });
    try {
      expect(hb.output()).toMatch(/- cameras\[0\]: unknown key "hots": did you mean "host"\?/);
      expect(hb.output()).toContain('no camera is set up until the config is fixed');
    } finally {
      await hb.stop();
    }
  });
});
