/** camflow-connect and camflow-snapshot on a P2P camera, in the real runtime against the TrailCam simulator. */
import { TrailCamSimulator } from '@camflow/simulators';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import connectNode from 'node-red-contrib-camflow/dist/connect/connect.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { helper, nextMessage, onTab, statusMatching, withCatalogText, withCatch, type FlowNode } from '../helpers/nodered.js';

const PASSWORD = 'trail-Pa55';
let sim: TrailCamSimulator;

async function load(nodes: FlowNode[], port = sim.sessionPort): Promise<void> {
  const camera: FlowNode = {
    id: 'trail', type: 'camflow-camera', name: 'Trail', kind: 'p2p', did: 'LBCS-000000-CCCJJ', host: '127.0.0.1', port: String(port), timeout: 2, version: 1,
  };
  const flow = onTab(withCatch([camera, ...nodes, { id: 'out', type: 'helper' }]), ['trail']);
  // RED._ renders the real catalogs, so statuses read as the user sees them.
  await helper.load(withCatalogText([cameraNode, connectNode, snapshotNode]), flow, { trail: { username: 'admin', password: PASSWORD } });
}

const directOnly = { lan: false, direct: true, p2p: false, relay: false };

beforeEach(async () => {
  sim = new TrailCamSimulator({ did: 'LBCS-000000-CCCJJ', username: 'admin', password: PASSWORD, photos: 3 });
  await sim.start();
});

afterEach(async () => {
  await helper.unload();
  await sim.stop();
});

describe('camflow-connect', () => {
  it("races the paths, logs in and outputs the racer's report", async () => {
    await load([{ id: 'conn', type: 'camflow-connect', camera: 'trail', ...directOnly, version: 1, wires: [['out']] }]);
    const out = nextMessage(helper.getNode('out'));
    const connected = statusMatching(helper.getNode('conn'), (s) => s.fill === 'green');
    helper.getNode('conn').receive({ payload: 'go' });
    const msg = await out;
    expect(msg.payload).toMatchObject({ mode: 'direct', destinationPort: sim.sessionPort });
    expect(Object.values(msg.payload.attempts as Record<string, { state: string }>).some((a) => a.state === 'success')).toBe(true);
    expect((await connected).text).toMatch(/^direct in \d+ ms$/);
    expect((await connected).text).toBe(`direct in ${Math.round(msg.payload.elapsedMs)} ms`);
    expect(sim.activeSessions).toHaveLength(1);
  });

  it('msg.modes restricts the race; an unknown mode is an error for the Catch node', async () => {
    await load([{ id: 'conn', type: 'camflow-connect', camera: 'trail', version: 1, wires: [['out']] }]);
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('conn').receive({ modes: ['carrier-pigeon'] });
    expect((await caught).error.message).toContain('msg.modes');
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('conn').receive({ modes: ['direct'] });
    expect((await out).payload.mode).toBe('direct');
  });

  it('nothing answering ends in done(err) for the Catch node and a red status saying the race timed out', async () => {
    await sim.stop();
    await load([{ id: 'conn', type: 'camflow-connect', camera: 'trail', ...directOnly, version: 1, wires: [['out']] }]);
    const status = statusMatching(helper.getNode('conn'), (s) => s.fill === 'red');
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('conn').receive({});
    const msg = await caught;
    expect(msg.error.source.id).toBe('conn');
    expect((await status).text).toBe('camflow.status.timeout');
  });
});

describe('camflow-snapshot on a P2P camera', () => {
  it('connects on demand and outputs the newest picture as a JPEG; unloading closes the session', async () => {
    await load([{ id: 'snap', type: 'camflow-snapshot', camera: 'trail', version: 1, wires: [['out']] }]);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('snap').receive({});
    const msg = await out;
    expect(msg.payload.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(sim.activeSessions).toHaveLength(1);
    const closed = new Promise((resolve) => sim.once('session-closed', resolve));
    await helper.unload();
    await closed;
    expect(sim.activeSessions).toHaveLength(0);
  });
});
