/**
 * camflow-job, camflow-faces and camflow-events with detections, in Node-RED (the test helper's
 * runtime) against the Hikvision simulator, on the pipeline the Node-RED process runs
 * (<userDir>/camflow).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import eventsNode from 'node-red-contrib-camflow/dist/events/events.js';
import facesNode from 'node-red-contrib-camflow/dist/faces/faces.js';
import jobNode from 'node-red-contrib-camflow/dist/job/job.js';
import { helper, nextMessage, onTab, statusHistory, withCatalogText, withCatch, type FlowNode } from '../helpers/nodered.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/detect/${name}`, import.meta.url));
let sim: HikvisionSimulator;
beforeAll(async () => {
  sim = new HikvisionSimulator({ snapshot: fixture('people.jpg') });
  await sim.start();
});
afterEach(async () => {
  await helper.unload();
});
afterAll(async () => {
  await sim.stop();
});

const camera = (): FlowNode => ({ id: 'cam', type: 'camflow-camera', name: 'Front', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), version: 2 });

async function load(flow: FlowNode[]): Promise<void> {
  await helper.load(withCatalogText([cameraNode, jobNode, facesNode, eventsNode]), onTab(withCatch([camera(), ...flow]), ['cam']), { cam: { username: 'admin', password: 'password' } });
}

describe('camflow-job', () => {
  it('runs a snapshot job on the selected camera and sends its result on the first output', async () => {
    await load([{ id: 'job', type: 'camflow-job', jobType: 'snapshot', params: '{}', camera: 'cam', version: 1, wires: [['done'], ['failed']] }, { id: 'done', type: 'helper' }, { id: 'failed', type: 'helper' }]);
    const done = nextMessage(helper.getNode('done'));
    helper.getNode('job').receive({ payload: 'go', topic: 'porch' });
    const msg = await done;
    expect(msg.topic).toBe('porch');
    expect(msg.job).toMatchObject({ type: 'snapshot', state: 'completed', camera: 'cam' });
    expect((await readFile(msg.payload.path as string)).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(JSON.stringify(msg)).not.toContain('password');
    const texts = statusHistory('job').map((s) => String(s.text ?? ''));
    expect(texts.at(-1)).toMatch(/snapshot done/);
  });

  it('a job that fails goes to the second output with the reason; msg.cancel stops a running one', async () => {
    await load([
      { id: 'job', type: 'camflow-job', jobType: 'record', params: '{"seconds": 60}', camera: 'cam', version: 1, wires: [['done'], ['failed']] },
      { id: 'done', type: 'helper' },
      { id: 'failed', type: 'helper' },
    ]);
    // describe without detect.ollama in the config cannot work: failed at once, not retried.
    const failed = nextMessage(helper.getNode('failed'));
    helper.getNode('job').receive({ jobType: 'describe', params: { image: '/nonexistent.jpg' } });
    const msg = await failed;
    expect(msg.job).toMatchObject({ type: 'describe', state: 'failed' });
    expect(msg.error.message).toMatch(/ollama/i);

    // A 60 s recording on the camera, cancelled while it runs.
    const cancelled = nextMessage(helper.getNode('failed'));
    helper.getNode('job').receive({ payload: 'record' });
    await expect.poll(() => statusHistory('job').some((s) => /recording on the camera/.test(String(s.text ?? ''))), { timeout: 15_000 }).toBe(true);
    helper.getNode('job').receive({ cancel: true });
    expect((await cancelled).job).toMatchObject({ type: 'record', state: 'cancelled' });
  }, 60_000);
});

describe('camflow-faces', () => {
  it('enrols a person from a JPEG, lists them and removes them', async () => {
    await load([{ id: 'faces', type: 'camflow-faces', action: 'enrol', person: 'Anna', camera: '', version: 1, wires: [['out']] }, { id: 'out', type: 'helper' }]);
    const node = helper.getNode('faces');
    const out = helper.getNode('out');
    let next = nextMessage(out);
    node.receive({ action: 'remove', name: 'Anna' }); // from an earlier run of the suite, if any
    await next;
    next = nextMessage(out);
    node.receive({ payload: fixture('face-a-1.jpg') });
    expect((await next).payload).toMatchObject({ name: 'Anna', samples: 1 });
    next = nextMessage(out);
    node.receive({ action: 'list' });
    expect(((await next).payload as { name: string }[]).map((p) => p.name)).toContain('Anna');
    next = nextMessage(out);
    node.receive({ action: 'remove', name: 'Anna' });
    expect((await next).payload).toEqual({ name: 'Anna', removed: true });
    // No picture and no camera: one clear error to the Catch node.
    const caught = nextMessage(helper.getNode('caught'));
    node.receive({ payload: 'not a picture' });
    expect((await caught).error.message).toMatch(/No picture/);
  }, 120_000);
});

describe('camflow-events with detections', () => {
  it('sends a detection message with the person found on motion, besides the event itself', async () => {
    await load([{ id: 'ev', type: 'camflow-events', camera: 'cam', types: '', detect: true, labels: 'person', version: 2, wires: [['out']] }, { id: 'out', type: 'helper' }]);
    await sim.waitForAlertStreams(1);
    const got: Record<string, any>[] = [];
    const detection = new Promise<Record<string, any>>((resolve) =>
      helper.getNode('out').on('input', (msg: Record<string, any>) => {
        got.push(msg);
        if (msg.topic === 'Front/detection') resolve(msg);
      }),
    );
    sim.triggerEvent({ type: 'VMD', state: 'active' });
    const msg = await detection;
    expect(msg.payload).toMatchObject({ type: 'detection', trigger: 'vmd', labels: ['person'] });
    expect(msg.detections[0]).toMatchObject({ label: 'person' });
    expect((msg.image as Buffer).subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(got[0]).toMatchObject({ topic: 'Front/vmd', payload: { type: 'vmd', state: 'active' } });
  }, 120_000);
});
