/**
 * "Nothing left after a redeploy", checked from the Node-RED process's side: a flow with every camflow
 * node is loaded, put to work (a recording still running, the events stream and overlay sync open),
 * unloaded, and the process must hold no more sockets or timers than before it was loaded.
 */
import { HikvisionSimulator, TrailCamSimulator } from '@camflow/simulators';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import connectNode from 'node-red-contrib-camflow/dist/connect/connect.js';
import downloadNode from 'node-red-contrib-camflow/dist/download/download.js';
import eventsNode from 'node-red-contrib-camflow/dist/events/events.js';
import overlayNode from 'node-red-contrib-camflow/dist/overlay/overlay.js';
import recordNode from 'node-red-contrib-camflow/dist/record/record.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { eventually, helper, nextMessage, onTab, statusReached, withCatch, type FlowNode } from '../helpers/nodered.js';

const ALL = [cameraNode, overlayNode, snapshotNode, eventsNode, recordNode, downloadNode, connectNode];
const PASSWORD = 'Handles-Pa55';
let hik: HikvisionSimulator;
let trail: TrailCamSimulator;
let folder: string;

/** The process's active resources (sockets, timers, ...) by kind, e.g. { TCPSocketWrap: 3, Timeout: 2 }. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

function everyNode(): FlowNode[] {
  return [
    { id: 'cam', type: 'camflow-camera', name: 'Back', kind: 'hikvision', host: '127.0.0.1', port: String(hik.port), version: 1 },
    { id: 'trailcam', type: 'camflow-camera', name: 'Trail', kind: 'p2p', did: 'LBCS-000000-CCCJJ', host: '127.0.0.1', port: String(trail.sessionPort), timeout: 10, version: 1 },
    { id: 'direct', type: 'camflow-overlay', camera: 'cam', overlay: 2, template: '', sync: false, version: 1, wires: [['out']] },
    { id: 'sync', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: '{{counter}}', sync: true, interval: 0.05, version: 1, wires: [[]] },
    { id: 'snap', type: 'camflow-snapshot', camera: 'cam', version: 1, wires: [['out']] },
    { id: 'ev', type: 'camflow-events', camera: 'cam', types: '', version: 1, wires: [['out']] },
    { id: 'rec', type: 'camflow-record', camera: 'cam', duration: 3600, version: 1, wires: [['out']] },
    { id: 'dl', type: 'camflow-download', camera: 'cam', folder, hours: 12, version: 1, wires: [['out']] },
    { id: 'conn', type: 'camflow-connect', camera: 'trailcam', lan: false, direct: true, p2p: false, relay: false, version: 1, wires: [['out']] },
    { id: 'trailsnap', type: 'camflow-snapshot', camera: 'trailcam', version: 1, wires: [['out']] },
    { id: 'out', type: 'helper' },
  ];
}

/** Sends `msg` to node `id` and resolves with the output it causes. */
async function run(id: string, msg: Record<string, unknown>): Promise<Record<string, any>> {
  const out = nextMessage(helper.getNode('out'));
  // A node that fails reports to the catch node, not to 'out': fail with its reason instead of waiting forever.
  // Only this node's own error counts: others (the sync overlay, the event stream) may report meanwhile.
  const caught = new Promise<never>((_, reject) => {
    helper.getNode('caught').on('input', (m: Record<string, any>) => {
      const error = m['error'] as { message?: unknown; source?: { id?: unknown } } | undefined;
      if (error?.source?.id === id) reject(new Error(`${id} failed: ${String(error.message ?? 'unknown')}`));
    });
  });
  caught.catch(() => undefined);
  helper.getNode(id).receive(msg);
  try {
    return await Promise.race([out, caught]);
  } finally {
    helper.getNode('out').removeAllListeners('input');
    helper.getNode('caught').removeAllListeners('input');
  }
}

beforeEach(async () => {
  hik = new HikvisionSimulator({ username: 'admin', password: PASSWORD });
  trail = new TrailCamSimulator({ did: 'LBCS-000000-CCCJJ', username: 'admin', password: PASSWORD, photos: 2 });
  await Promise.all([hik.start(), trail.start()]);
  folder = await mkdtemp(path.join(tmpdir(), 'camflow-handles-'));
});

afterEach(async () => {
  await helper.unload();
  await Promise.all([hik.stop(), trail.stop()]);
  await rm(folder, { recursive: true, force: true });
});

/** The kinds of which `after` holds more than `before`: what a load and unload left behind. */
function grown(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).filter(([kind, count]) => count > (before[kind] ?? 0)));
}

/** Loads the flow, puts every node to work (leaving a recording running), and unloads it. */
async function deployWorkUnload(): Promise<void> {
  const flow = onTab(withCatch(everyNode()), ['cam', 'trailcam']);
  await helper.load(ALL, flow, { cam: { username: 'admin', password: PASSWORD }, trailcam: { username: 'admin', password: PASSWORD } });
  await hik.waitForAlertStreams(1);
  await run('direct', { payload: 'Gate' });
  await run('snap', {});
  await run('dl', { from: '2024-05-01T11:35:00Z', to: '2024-05-01T11:45:00Z' });
  await run('conn', {});
  // Known issue (see the closing note): now and then the P2P session closes right under the first
  // request after a connect ("PPPP session closed"); a second request reconnects. This test is about
  // what an unload leaves behind, so it asks again once.
  await run('trailsnap', {}).catch(() => run('trailsnap', {}));
  helper.getNode('rec').receive({});
  await statusReached('rec', 'recording', (s) => s.text === 'camflow.status.recording');
  await statusReached('sync', 'the sync overlay written', (s) => s.fill === 'green');
  await helper.unload();
  expect(hik.recordingTracks.size).toBe(0);
  // Our side is closed when unload returns; the simulators (in this process too) see the FIN a moment later.
  await eventually('the Hikvision simulator to see every connection closed', () => hik.stats.connectionsOpen === 0 && hik.stats.alertStreamsOpen === 0);
  await eventually('the TrailCam simulator to see the session closed', () => trail.activeSessions.length === 0);
}

describe('unloading a flow with every camflow node', () => {
  it('leaves the Node-RED process no socket or timer: the process holds no more after each redeploy', async () => {
    // The helper's own handles (its runtime, its timers) exist once a flow has been loaded and unloaded.
    await helper.load(ALL, onTab([]));
    await helper.unload();
    const before = resources();
    await deployWorkUnload();
    const afterFirst = resources();
    // Fewer is fine (the baseline may catch a file read or a short timer of the setup in flight): a second
    // round makes a leak that such a transient hid in the first show as growth.
    await deployWorkUnload();
    const afterSecond = resources();
    const seen = `before: ${JSON.stringify(before)}, after one: ${JSON.stringify(afterFirst)}, after two: ${JSON.stringify(afterSecond)}`;
    expect(grown(before, afterFirst), seen).toEqual({});
    expect(grown(afterFirst, afterSecond), seen).toEqual({});
  });

  it('holds no more after 100 redeploys with every node at work (sockets, timers, child processes)', async () => {
    await helper.load(ALL, onTab([]));
    await helper.unload();
    await deployWorkUnload();
    const before = resources();
    for (let round = 0; round < 100; round++) await deployWorkUnload();
    const after = resources();
    expect(grown(before, after), `before: ${JSON.stringify(before)}, after 100: ${JSON.stringify(after)}`).toEqual({});
    expect(after['ProcessWrap'] ?? 0).toBe(0);
  }, 300_000);
});
