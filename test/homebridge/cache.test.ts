/**
 * Accessories survive a Homebridge restart through its cache (same UUID from the camera id, same
 * aid), and a camera taken out of the config is removed from HomeKit.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HikvisionSimulator } from '@camflow/simulators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HapAccessory, shortType, startHomebridge } from './harness.js';

async function camerasById(port: number): Promise<Map<string, number>> {
  // Insecure mode: /accessories answers without pairing.
  const body = (await (await fetch(`http://127.0.0.1:${port}/accessories`)).json()) as { accessories: HapAccessory[] };
  const map = new Map<string, number>();
  for (const accessory of body.accessories) {
    for (const service of accessory.services) {
      const serial = service.characteristics.find((c) => shortType(c.type) === '30');
      if (serial !== undefined && accessory.aid !== 1) map.set(String(serial.value), accessory.aid);
    }
  }
  return map;
}

describe('accessory cache', () => {
  let storage: string;
  let sim: HikvisionSimulator;

  beforeAll(async () => {
    storage = await mkdtemp(join(tmpdir(), 'camflow-hb-cache-'));
    sim = new HikvisionSimulator();
    await sim.start();
  });

  afterAll(async () => {
    await sim?.stop();
    if (storage !== undefined) await rm(storage, { recursive: true, force: true });
  });

  it('restores cameras from the cache and removes the ones no longer configured', async () => {
    const camera = (id: string): Record<string, unknown> => ({ id, type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' });
    const first = await startHomebridge({ cameras: [camera('one'), camera('two')] }, { storage });
    let before: Map<string, number>;
    try {
      before = await camerasById(first.port);
      expect([...before.keys()].sort()).toEqual(['one', 'two']);
    } finally {
      await first.stop();
    }
    const second = await startHomebridge({ cameras: [camera('one')] }, { storage });
    try {
      await second.waitFor(/removing 1 accessory\(ies\) no longer in the config/);
      const after = await camerasById(second.port);
      expect([...after.keys()]).toEqual(['one']);
      expect(after.get('one')).toBe(before.get('one'));
    } finally {
      await second.stop();
    }
  });
});
