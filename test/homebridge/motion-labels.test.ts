/**
 * motion_labels in a real Homebridge: the camera's motion counts only when detection sees one of the
 * labels. An empty room that "moves" leaves MotionDetected off; a person sets it, by event subscription.
 */
import { readFileSync } from 'node:fs';
import { HttpClient } from 'hap-controller';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { type HapAccessory, PIN, type RunningHomebridge, findCharacteristic, startHomebridge } from './harness.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/detect/${name}`, import.meta.url));

describe('motion only for chosen labels', () => {
  let sim: HikvisionSimulator;
  let hb: RunningHomebridge;
  let client: InstanceType<typeof HttpClient>;

  beforeAll(async () => {
    sim = new HikvisionSimulator({ snapshot: fixture('empty.jpg') });
    await sim.start();
    hb = await startHomebridge({
      cameras: [{ id: 'door', name: 'Door', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' }],
      detect: { threads: 1, cameras: { door: { frames: 1 } } },
      motion_labels: ['person'],
      snapshot_interval: 60,
    });
    client = new HttpClient('0E:11:22:33:44:66', '127.0.0.1', hb.port);
    await client.pairSetup(PIN);
  });

  afterAll(async () => {
    await client?.close();
    await hb?.stop();
    await sim?.stop();
  });

  it('leaves MotionDetected off for an empty room and sets it for a person', async () => {
    const { accessories } = (await client.getAccessories()) as unknown as { accessories: HapAccessory[] };
    const camera = accessories.find((a) => a.services.some((s) => s.characteristics.some((c) => c.value === 'door')));
    if (camera === undefined) throw new Error('no accessory for camera door');
    const id = findCharacteristic(camera, '85', '22');
    const values: unknown[] = [];
    client.on('event', (event: { characteristics: { aid: number; iid: number; value: unknown }[] }) => {
      for (const c of event.characteristics) if (`${c.aid}.${c.iid}` === id) values.push(c.value);
    });
    await client.subscribeCharacteristics([id]);
    await sim.waitForAlertStreams(1);

    sim.triggerEvent({ type: 'VMD', state: 'active' });
    await hb.waitFor(/motion without person: not reported/);
    expect(values.filter((v) => v === true || v === 1)).toEqual([]);

    sim.setSnapshot(fixture('people.jpg'));
    sim.triggerEvent({ type: 'VMD', state: 'inactive' });
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    await hb.waitFor(/motion: person \d+%/);
    await expect.poll(() => values.some((v) => v === true || v === 1), { timeout: 10_000 }).toBe(true);
  }, 120_000);
});
