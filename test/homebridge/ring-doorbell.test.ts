/**
 * A Ring doorbell in a real Homebridge, against the fake Ring cloud: the doorbell accessory has a
 * Doorbell service (a stick-up cam has none), a ding reaches a HAP client as a single press, by event
 * subscription, and live video comes from Ring's WebRTC live view (the fake's camera peer) as SRTP,
 * hung up when HomeKit ends the stream.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClient } from 'hap-controller';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeRingCloud } from '@camflow/simulators';
import { startFakeRing } from '../helpers/ring.js';
import { ffmpegChildren, startControllerStream } from './hap-stream.js';
import { type HapAccessory, PIN, type RunningHomebridge, findCharacteristic, shortType, startHomebridge } from './harness.js';

const PICTURE = await readFile(new URL('../fixtures/detect/people.jpg', import.meta.url));

describe('Ring doorbell in Homebridge', () => {
  let dir: string;
  let cloud: FakeRingCloud;
  let hb: RunningHomebridge;
  let client: InstanceType<typeof HttpClient>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'camflow-hb-ring-'));
    // CAMFLOW_RING_API_BASE is inherited by the homebridge process.
    ({ cloud } = await startFakeRing(dir, [
      { id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE },
      { id: 202, description: 'Garden', doorbell: false, snapshot: PICTURE },
    ]));
    hb = await startHomebridge({
      cameras: [
        { id: 'front', name: 'Front Door', type: 'ring', device: 'Front Door', push: false, watchdog: '200ms', data_dir: dir },
        { id: 'garden', name: 'Garden', type: 'ring', device: 202, push: false, watchdog: '200ms', data_dir: dir },
      ],
      snapshot_interval: 60,
    });
    delete process.env.CAMFLOW_RING_API_BASE;
    await hb.waitFor(/a Ring doorbell/);
    // HAP ties a stream session to the connection that set it up: keep one connection.
    client = new HttpClient('0E:11:22:33:44:77', '127.0.0.1', hb.port, undefined, { usePersistentConnections: true });
    await client.pairSetup(PIN);
  }, 120_000);

  afterAll(async () => {
    await client?.close();
    await hb?.stop();
    await cloud?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  /** The accessory of camera `id` (its name characteristic). */
  async function accessory(id: string): Promise<HapAccessory> {
    const { accessories } = (await client.getAccessories()) as unknown as { accessories: HapAccessory[] };
    const found = accessories.find((a) => a.services.some((s) => s.characteristics.some((c) => c.value === id)));
    if (found === undefined) throw new Error(`no accessory for ${id}`);
    return found;
  }

  it('rings: a ding is a single press of the Doorbell, the stick-up cam has no Doorbell', async () => {
    // 121: Doorbell service; 73: ProgrammableSwitchEvent.
    expect((await accessory('garden')).services.some((s) => shortType(s.type) === '121')).toBe(false);
    const press = findCharacteristic(await accessory('front'), '121', '73');
    const values: unknown[] = [];
    client.on('event', (event: { characteristics: { aid: number; iid: number; value: unknown }[] }) => {
      for (const c of event.characteristics) if (`${c.aid}.${c.iid}` === press) values.push(c.value);
    });
    await client.subscribeCharacteristics([press]);
    // Wait until the watchdog has marked where the history stands, then ring.
    await expect.poll(async () => (await readFile(join(dir, 'ring-events-front.json'), 'utf8').catch(() => '')).includes('watermark'), { timeout: 15_000 }).toBe(true);
    cloud.devices.addEvent(101, { kind: 'ding' });
    await expect.poll(() => values, { timeout: 15_000 }).toEqual([0]);
    expect(hb.output()).not.toMatch(/rt-[0-9a-f]{24}|at-[0-9a-f]{24}|pw-secret/);
  }, 120_000);

  it('streams the live view: Ring WebRTC in, SRTP out, hung up on END with no ffmpeg left', async () => {
    const stream = await startControllerStream(client, await accessory('front'));
    try {
      const rtp = await stream.firstPacket;
      expect(rtp[0]! >> 6).toBe(2);
      expect(rtp[1]! & 0x7f).toBe(99);
      expect(cloud.live.active).toBe(1);
      expect(hb.output()).toMatch(/\[front:stream\] live video started \(640x360@15, H\.264 copied\) from Ring live view of Front Door/);
      // What the Home app would show: the fake camera's 640x360 H.264, decrypted and decoded.
      expect(await stream.decode(10)).toEqual({ codec: 'h264', width: 640, height: 360, frames: 10 });
      await stream.end();
      await vi.waitFor(() => expect(ffmpegChildren(hb.pid)).toEqual([]), { timeout: 5000, interval: 100 });
      // Hung up: the fake camera saw the call end and stopped sending.
      await expect.poll(() => cloud.live.active, { timeout: 10_000 }).toBe(0);
      expect(cloud.live.views.at(-1)?.ended).toMatch(/close message|socket closed/);
    } finally {
      stream.close();
    }
    expect(hb.output()).not.toMatch(/rt-[0-9a-f]{24}|at-[0-9a-f]{24}|pw-secret/);
  }, 120_000);

  it('ends the HomeKit stream and its ffmpeg when Ring hangs up', async () => {
    const stream = await startControllerStream(client, await accessory('front'));
    try {
      await stream.firstPacket;
      await cloud.live.hangUp();
      await hb.waitFor(/\[front:stream\] live video source ended \(Ring live view of Front Door\)/);
      await vi.waitFor(() => expect(ffmpegChildren(hb.pid)).toEqual([]), { timeout: 5000, interval: 100 });
    } finally {
      stream.close();
    }
  }, 120_000);
});
