/**
 * RTSP and Ring cameras in Node-RED's camera config node: an RTSP camera (GStreamer RTSP server,
 * digest) gives a snapshot and records a clip through the pipeline's record job; a Ring doorbell
 * (the fake Ring cloud, the login in <userDir>/camflow) gives its snapshot and a ding out of the
 * events node. Credentials stay out of the messages.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ringLogin } from '@camflow/core';
import { FakeRingCloud } from '@camflow/simulators';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import eventsNode from 'node-red-contrib-camflow/dist/events/events.js';
import recordNode from 'node-red-contrib-camflow/dist/record/record.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { helper, nextMessage, nodeRedUserDir, onTab, withCatalogText, withCatch, type FlowNode } from '../helpers/nodered.js';
import { startRtspServer, type RtspServer } from '../helpers/rtsp-server.js';

const NODES = withCatalogText([cameraNode, snapshotNode, recordNode, eventsNode]);
const PICTURE = await readFile(new URL('../fixtures/detect/people.jpg', import.meta.url));

afterEach(async () => {
  await helper.unload();
});

describe('an RTSP camera in Node-RED', () => {
  let rtsp: RtspServer;
  beforeAll(async () => {
    rtsp = await startRtspServer();
  });
  afterAll(async () => {
    await rtsp?.stop();
  });

  it('takes a snapshot and records a clip as a pipeline job, without the password in any message', async () => {
    const flow: FlowNode[] = [
      { id: 'cam', type: 'camflow-camera', name: 'Porch', kind: 'rtsp', url: rtsp.url, preEvent: 0, timeout: 10, version: 3 },
      { id: 'snap', type: 'camflow-snapshot', camera: 'cam', version: 1, wires: [['snapped']] },
      { id: 'rec', type: 'camflow-record', camera: 'cam', duration: 2, version: 1, wires: [['recorded']] },
      { id: 'snapped', type: 'helper' },
      { id: 'recorded', type: 'helper' },
    ];
    await helper.load(NODES, onTab(withCatch(flow), ['cam']), { cam: { username: 'admin', password: rtsp.password } });
    const snapped = nextMessage(helper.getNode('snapped'));
    helper.getNode('snap').receive({ payload: 'go' });
    expect(((await snapped).payload as Buffer).subarray(0, 2).toString('hex')).toBe('ffd8');

    const recorded = nextMessage(helper.getNode('recorded'));
    helper.getNode('rec').receive({ duration: 2 });
    const msg = await recorded;
    expect(msg.payload).toMatchObject({ camera: 'Porch', path: expect.stringContaining(path.join(nodeRedUserDir, 'camflow', 'media', 'clips')) });
    expect(msg.payload.durationMs).toBeGreaterThan(1000);
    const clip = await readFile(msg.payload.path as string);
    expect(clip.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(JSON.stringify(msg)).not.toContain(rtsp.password);
  }, 90_000);
});

describe('a Ring doorbell in Node-RED', () => {
  let cloud: FakeRingCloud;
  beforeAll(async () => {
    cloud = new FakeRingCloud({ email: 'me@example.com', password: 'pw-secret' });
    const base = await cloud.start();
    process.env.CAMFLOW_RING_API_BASE = base;
    cloud.devices.add({ id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE });
    // Where the camera config node looks for the login: <userDir>/camflow.
    await mkdir(path.join(nodeRedUserDir, 'camflow'), { recursive: true });
    await ringLogin({ email: 'me@example.com', password: 'pw-secret', dataDir: path.join(nodeRedUserDir, 'camflow'), apiBase: base, askCode: () => Promise.reject(new Error('no 2FA')) });
  });
  afterAll(async () => {
    delete process.env.CAMFLOW_RING_API_BASE;
    await cloud?.stop();
  });

  it('gives its snapshot, and a ding comes out of the events node', async () => {
    const flow: FlowNode[] = [
      { id: 'doorcam', type: 'camflow-camera', name: 'Front Door', kind: 'ring', device: 'Front Door', version: 3 },
      { id: 'snap', type: 'camflow-snapshot', camera: 'doorcam', version: 1, wires: [['snapped']] },
      { id: 'ev', type: 'camflow-events', camera: 'doorcam', types: 'ding', detect: false, labels: '', version: 2, wires: [['rang']] },
      { id: 'snapped', type: 'helper' },
      { id: 'rang', type: 'helper' },
    ];
    await helper.load(NODES, onTab(withCatch(flow), ['doorcam']), {});
    const snapped = nextMessage(helper.getNode('snapped'));
    helper.getNode('snap').receive({ payload: 'go' });
    expect(((await snapped).payload as Buffer).equals(PICTURE)).toBe(true);

    // The watchdog's first poll marks where the history stands; then a ding arrives by push.
    await expect.poll(async () => (await readFile(path.join(nodeRedUserDir, 'camflow', 'ring-events-front-door.json'), 'utf8').catch(() => '')).includes('watermark'), { timeout: 15_000 }).toBe(true);
    const ding = cloud.devices.addEvent(101, { kind: 'ding' });
    const rang = nextMessage(helper.getNode('rang'));
    const handle = (helper.getNode('doorcam') as unknown as { camera: { camera(): { kind: string; client: { device(): Promise<{ processPushNotification(n: unknown): void }> } } } }).camera.camera();
    (await handle.client.device()).processPushNotification({
      version: '2.0.0',
      android_config: { category: 'com.ring.pn.live-event.ding', body: 'There is someone at your Front Door' },
      data: { device: { id: 101, kind: 'doorbell_v4', name: 'Front Door', e2ee_enabled: false }, event: { ding: { id: ding.id, created_at: ding.at.toISOString(), subtype: 'ding' } } },
    });
    const msg = await rang;
    expect(msg.payload).toMatchObject({ type: 'ding', state: 'active', time: ding.at.toISOString() });
    expect(msg.topic).toBe('Front Door/ding');
  }, 60_000);
});
