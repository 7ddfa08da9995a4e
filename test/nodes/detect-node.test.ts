/**
 * camflow-detect in Node-RED (the test helper's runtime): a JPEG in, the detections and the annotated
 * JPEG out, the detector in the Node-RED process's worker pool; or the selected camera's snapshot.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import detectNode from 'node-red-contrib-camflow/dist/detect/detect.js';
import { helper, nextMessage, onTab, withCatalogText, withCatch } from '../helpers/nodered.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/detect/${name}`, import.meta.url));
const sim = new HikvisionSimulator({ snapshot: fixture('people.jpg') });
afterEach(async () => {
  await helper.unload();
});
afterAll(async () => {
  await sim.stop();
});

interface Out {
  payload: Buffer;
  detections: { label: string; score: number; box: number[] }[];
}

describe('camflow-detect', () => {
  it('finds the people in a JPEG sent to it, outputs the annotated picture, and an empty room yields nothing', async () => {
    const flow = onTab(withCatch([{ id: 'det', type: 'camflow-detect', labels: 'person', minScore: 0.4, faces: false, version: 1, wires: [['out']] }, { id: 'out', type: 'helper' }]), []);
    await helper.load(withCatalogText([cameraNode, detectNode]), flow, {});
    const out = helper.getNode('out');
    const people = fixture('people.jpg');
    const first = nextMessage(out) as Promise<unknown> as Promise<Out>;
    helper.getNode('det').receive({ payload: people });
    const msg = await first;
    expect(msg.detections.map((d) => d.label)).toEqual(['person']);
    expect(msg.detections[0]!.score).toBeGreaterThan(0.4);
    expect(msg.payload.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(msg.payload.equals(people)).toBe(false); // the boxes are drawn on it

    const second = nextMessage(out) as Promise<unknown> as Promise<Out>;
    helper.getNode('det').receive({ payload: fixture('empty.jpg') });
    expect((await second).detections).toEqual([]);
  }, 90_000);

  it('without a picture, detects on the selected camera\'s snapshot', async () => {
    await sim.start();
    const flow = onTab(
      withCatch([
        { id: 'cam', type: 'camflow-camera', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), version: 2 },
        { id: 'det', type: 'camflow-detect', camera: 'cam', labels: 'person, vehicle', minScore: 0.4, faces: false, version: 1, wires: [['out']] },
        { id: 'out', type: 'helper' },
      ]),
      ['cam'],
    );
    await helper.load(withCatalogText([cameraNode, detectNode]), flow, { cam: { username: 'admin', password: 'password' } });
    const got = nextMessage(helper.getNode('out')) as Promise<unknown> as Promise<Out>;
    helper.getNode('det').receive({ payload: 'go' });
    expect((await got).detections.some((d) => d.label === 'person')).toBe(true);
  }, 90_000);
});
