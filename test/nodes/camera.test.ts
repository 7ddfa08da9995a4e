import { afterEach, describe, expect, it } from 'vitest';
import cameraNode, { type CameraNode } from 'node-red-contrib-camflow/dist/camera/camera.js';
import recordNode from 'node-red-contrib-camflow/dist/record/record.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { helper, nextMessage, onTab, statusMatching, withCatch, type FlowNode } from '../helpers/nodered.js';

const camera: FlowNode = { id: 'cam', type: 'camflow-camera', name: 'Back', kind: 'hikvision', host: '127.0.0.1', port: '9', version: 1 };

describe('camflow-camera config node', () => {
  afterEach(async () => {
    await helper.unload();
  });

  it('a deploy with credentials, as the editor sends them, puts them in the credential store and out of the flow', async () => {
    await helper.load(cameraNode, onTab([]));
    await helper.setFlows(onTab([{ ...camera, credentials: { username: 'admin', password: 's3cret' } }], ['cam']), 'full');
    expect(helper.credentials.get('cam')).toEqual({ username: 'admin', password: 's3cret' });
    const node = helper.getNode('cam') as unknown as CameraNode;
    expect(node.camera.settings).toMatchObject({ username: 'admin', password: 's3cret', host: '127.0.0.1', port: 9, channel: 1 });
    // The flow as the runtime holds and exports it (GET /flows, flows.json): no credentials at all.
    const deployed = helper._redNodes.getFlows().flows;
    expect(deployed.find((n) => n.id === 'cam')).not.toHaveProperty('credentials');
    const exported = JSON.stringify(deployed);
    expect(exported).not.toContain('s3cret');
    expect(exported).not.toContain('admin');
  });

  it('migrates a config without a version (v0) to the current one', async () => {
    await helper.load(cameraNode, [{ id: 'cam', type: 'camflow-camera', host: 'cam.local' }], { cam: { username: 'u', password: 'p' } });
    const node = helper.getNode('cam') as unknown as CameraNode;
    expect(node.camera.settings).toMatchObject({ kind: 'hikvision', host: 'cam.local', tls: false, channel: 1, timeoutMs: 5000 });
  });

  it('a node without a camera fails each message with done(err): red status and a Catch node sees it', async () => {
    const flow = onTab(withCatch([{ id: 'snap', type: 'camflow-snapshot', camera: '', version: 1, wires: [['out']] }, { id: 'out', type: 'helper' }]));
    await helper.load([cameraNode, snapshotNode], flow);
    const snap = helper.getNode('snap');
    const status = statusMatching(snap, (s) => s.fill === 'red');
    const caught = nextMessage(helper.getNode('caught'));
    snap.receive({ payload: 'go', topic: 't1' });
    const msg = await caught;
    expect(msg.topic).toBe('t1');
    expect(msg.error.message).toContain('camflow.errors.noCamera');
    expect(msg.error.source.id).toBe('snap');
    expect((await status).text).toBe('camflow.status.badConfig');
  });

  it('recording on a P2P camera (it cannot) reports a config error', async () => {
    const flow = onTab(
      withCatch([
        { id: 'trail', type: 'camflow-camera', kind: 'p2p', did: 'LBCS-000000-CCCJJ', host: '', version: 1 },
        { id: 'rec', type: 'camflow-record', camera: 'trail', duration: 1, version: 1 },
      ]),
      ['trail'],
    );
    await helper.load([cameraNode, recordNode], flow, { trail: { username: 'admin', password: 'x' } });
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('rec').receive({ payload: 1 });
    expect((await caught).error.message).toMatch(/\(p2p\) cannot record/);
  });

  it('a P2P camera takes its servers, relay, LAN port, LAN grace, stagger and networks into the camera it opens', async () => {
    const flow = onTab(
      [
        {
          id: 'trail', type: 'camflow-camera', kind: 'p2p', did: 'LBCS-000000-CCCJJ', host: '', version: 2,
          servers: '203.0.113.5:32100, 203.0.113.6:32100', relay: true, lanPort: '32108', lanGrace: 2, stagger: 150, cidrs: '192.168.1.0/24',
        },
      ],
      ['trail'],
    );
    await helper.load([cameraNode], flow, { trail: { username: 'admin', password: 'x' } });
    const node = helper.getNode('trail') as unknown as { camera: { settings: Record<string, unknown>; camera(): { kind: string; client: { options?: unknown } } } };
    expect(node.camera.settings).toMatchObject({
      servers: ['203.0.113.5:32100', '203.0.113.6:32100'],
      relay: true,
      lanPort: 32108,
      lanGraceMs: 2000,
      staggerMs: 150,
      allowedCidrs: ['192.168.1.0/24'],
    });
    expect(node.camera.camera().kind).toBe('p2p');
  });
});
