/** Each camflow node in the real Node-RED runtime (test helper) against the Hikvision simulator. */
import { HikvisionSimulator } from '@camflow/simulators';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import downloadNode from 'node-red-contrib-camflow/dist/download/download.js';
import eventsNode from 'node-red-contrib-camflow/dist/events/events.js';
import overlayNode from 'node-red-contrib-camflow/dist/overlay/overlay.js';
import recordNode from 'node-red-contrib-camflow/dist/record/record.js';
import snapshotNode from 'node-red-contrib-camflow/dist/snapshot/snapshot.js';
import { eventually, helper, withCatalogText, messages, nextMessage, onTab, statusHistory, statusMatching, statusReached, withCatch, type FlowNode } from '../helpers/nodered.js';

const ALL = [cameraNode, overlayNode, snapshotNode, eventsNode, recordNode, downloadNode];
const PASSWORD = 'Nodes-Pa55';
let sim: HikvisionSimulator;

let folder: string;

/** Every status text the node set since the flow was loaded, in order. */
function statusesOf(id: string): string[] {
  return statusHistory(id).map((status) => String(status['text']));
}

function cameraConfig(): FlowNode {
  return { id: 'cam', type: 'camflow-camera', name: 'Back', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), tls: false, channel: 1, version: 1 };
}

/** Loads the nodes with the camera; `rendered`: RED._ renders the real catalogs (status text as users see it). */
async function load(nodes: FlowNode[], password = PASSWORD, rendered = false): Promise<void> {
  const flow = onTab(withCatch([cameraConfig(), ...nodes, { id: 'out', type: 'helper' }]), ['cam']);
  await helper.load(rendered ? withCatalogText(ALL) : ALL, flow, { cam: { username: 'admin', password } });
}

beforeEach(async () => {
  sim = new HikvisionSimulator({ username: 'admin', password: PASSWORD });
  await sim.start();
  folder = await mkdtemp(path.join(tmpdir(), 'camflow-dl-'));
});

afterEach(async () => {
  await helper.unload();
  await sim.stop();
  await rm(folder, { recursive: true, force: true });
});

describe('camflow-overlay', () => {
  it('a string payload becomes the overlay text, and the output reports the write', async () => {
    await load([{ id: 'ov', type: 'camflow-overlay', camera: 'cam', overlay: 2, template: '', sync: false, interval: 1, version: 1, wires: [['out']] }]);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('ov').receive({ payload: 'Gate open' });
    const msg = await out;
    expect(msg.payload).toMatchObject({ camera: 'Back', overlay: 2, text: 'Gate open', status: 'updated' });
    expect(sim.overlay(1, 2)?.text).toBe('Gate open');
  });

  it('an object payload fills the template; msg.overlay picks another overlay', async () => {
    await load([
      { id: 'ov', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: 'Outside {{value.temperature:0.1}} °C', sync: false, version: 1, wires: [['out']] },
    ]);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('ov').receive({ payload: { temperature: 21.46 }, overlay: 3 });
    await out;
    expect(sim.overlay(1, 3)?.text).toBe('Outside 21.5 °C');
  });

  it('a wrong password reaches the Catch node with done(err) and shows auth failed', async () => {
    await load([{ id: 'ov', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: '', version: 1, wires: [['out']] }], 'wrong');
    const status = statusMatching(helper.getNode('ov'), (s) => s.fill === 'red');
    const caught = nextMessage(helper.getNode('caught'));
    helper.getNode('ov').receive({ payload: 'x' });
    const msg = await caught;
    expect(msg.error.source.id).toBe('ov');
    expect(msg.error.message).not.toContain('wrong');
    expect((await status).text).toBe('camflow.status.authFailed');
  });

  it('in sync mode, overlay nodes of one camera share one sync; values are written and the cycle report is output', async () => {
    await load([
      { id: 'a', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: 'T {{value.t}}', sync: true, interval: 0.05, version: 1, wires: [['out']] },
      { id: 'b', type: 'camflow-overlay', camera: 'cam', overlay: 2, template: 'H {{value.h}}', sync: true, interval: 0.05, version: 1, wires: [[]] },
    ]);
    const reports = helper.getNode('out');
    const written = new Promise<Record<string, any>>((resolve) => {
      reports.on('input', (msg) => {
        if (sim.overlay(1, 1)?.text === 'T 20' && sim.overlay(1, 2)?.text === 'H 55') resolve(msg);
      });
    });
    helper.getNode('a').receive({ payload: { t: 20, h: 55 } });
    const msg = await written;
    expect(msg.payload).toMatchObject({ failed: 0 });
    expect(msg.payload.updated).toBeGreaterThan(0);
  });
});

describe('camflow-snapshot', () => {
  it('outputs the JPEG as a Buffer and keeps the message properties', async () => {
    await load([{ id: 'snap', type: 'camflow-snapshot', camera: 'cam', version: 1, wires: [['out']] }]);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('snap').receive({ payload: 'go', topic: 'motion' });
    const msg = await out;
    expect(Buffer.isBuffer(msg.payload)).toBe(true);
    expect(msg.payload.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(msg.topic).toBe('motion');
  });
});

describe('camflow-events', () => {
  it('emits one message per camera event with type, state, channel and time', async () => {
    await load([{ id: 'ev', type: 'camflow-events', camera: 'cam', types: 'linedetection', version: 1, wires: [['out']] }]);
    await sim.waitForAlertStreams(1);
    const out = nextMessage(helper.getNode('out'));
    sim.triggerEvent({ type: 'VMD', channel: 1, state: 'active' });
    sim.triggerEvent({ type: 'linedetection', channel: 1, state: 'active' });
    const msg = await out;
    expect(msg.payload).toMatchObject({ type: 'linedetection', state: 'active', channel: 1 });
    expect(Number.isNaN(Date.parse(msg.payload.time))).toBe(false);
    expect(msg.topic).toBe('Back/linedetection');
  });

  it('status: connecting, connected once the camera answers, reconnecting after a reboot, then connected again', async () => {
    await load([{ id: 'ev', type: 'camflow-events', camera: 'cam', types: '', version: 1, wires: [['out']] }]);
    await statusReached('ev', 'connected', (s) => s.text === 'events.status.connected');
    expect(statusesOf('ev')[0]).toBe('events.status.connecting');
    const reconnecting = statusReached('ev', 'reconnecting after the reboot', (s) => s.fill === 'yellow');
    sim.reboot();
    await reconnecting;
    await statusReached('ev', 'connected again after the reboot', (s) => s.text === 'events.status.connected');
    expect(statusesOf('ev').slice(-2)).toEqual(['events.status.reconnecting', 'events.status.connected']);
    await sim.waitForAlertStreams(1);
    const out = nextMessage(helper.getNode('out'));
    sim.triggerEvent({ type: 'VMD', channel: 1 });
    expect((await out).payload).toMatchObject({ type: 'vmd', state: 'active' });
  });

  it('rejected credentials: auth failed with the retry time, the error reaches Catch, and the node keeps waiting', async () => {
    await load([{ id: 'ev', type: 'camflow-events', camera: 'cam', types: '', version: 1, wires: [['out']] }], 'wrong');
    // The failure comes after two round trips to the camera, well after the flow has started.
    const msg = await nextMessage(helper.getNode('caught'));
    expect(msg.error.source.id).toBe('ev');
    expect(msg.error.code).toBe('AUTH_FAILED');
    expect(msg.error.message).not.toContain('wrong');
    await statusReached('ev', 'auth failed', (s) => s.text === 'events.status.authFailed');
    // One login attempt, then the client's 5-minute back-off: no hammering towards the camera's lockout.
    expect(sim.stats.failedLogins).toBe(1);
    expect(sim.stats.lockedOut).toBe(0);
  });
});

describe('camflow-record', () => {
  /** The manual record requests the camera carried out (not digest challenges), in order: `start 101`. */
  function recordRequests(): string[] {
    return sim.requestLog
      .filter((entry) => entry.status === 200)
      .map((entry) => /\/record\/control\/manual\/(start|stop)\/tracks\/(\d+)$/.exec(entry.path))
      .filter((match) => match !== null)
      .map((match) => `${match[1]} ${match[2]}`);
  }

  it('records for msg.duration seconds and outputs when it stops', async () => {
    await load([{ id: 'rec', type: 'camflow-record', camera: 'cam', duration: 30, version: 1, wires: [['out']] }]);
    const recording = statusMatching(helper.getNode('rec'), (s) => s.text === 'camflow.status.recording');
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('rec').receive({ duration: 0.2 });
    await recording;
    expect(sim.recordingTracks.has(101)).toBe(true);
    const msg = await out;
    expect(msg.payload).toMatchObject({ camera: 'Back', track: 101 });
    expect(msg.payload.durationMs).toBe(msg.payload.stopped.getTime() - msg.payload.started.getTime());
    expect(recordRequests()).toEqual(['start 101', 'stop 101']);
    expect(sim.recordingTracks.size).toBe(0);
  });

  it('a message during a recording extends it to the later end: one start, one stop, one output per message', async () => {
    await load([{ id: 'rec', type: 'camflow-record', camera: 'cam', duration: 30, version: 1, wires: [['out']] }]);
    const recording = statusMatching(helper.getNode('rec'), (s) => s.text === 'camflow.status.recording');
    const outputs = messages(helper.getNode('out'), 2);
    helper.getNode('rec').receive({ duration: 0.05, topic: 'first' });
    await recording;
    helper.getNode('rec').receive({ duration: 0.5, topic: 'second' });
    const [first, second] = await outputs;
    // The first message's timer did not stop the recording the second one still wanted.
    expect(recordRequests()).toEqual(['start 101', 'stop 101']);
    expect([first?.topic, second?.topic]).toEqual(['first', 'second']);
    expect(first?.payload.started).toEqual(second?.payload.started);
    expect(first?.payload.stopped).toEqual(second?.payload.stopped);
    expect(first?.payload.durationMs).toBe(second?.payload.durationMs);
    expect(sim.recordingTracks.size).toBe(0);
  });

  it('a message after the recording stopped starts a new one', async () => {
    await load([{ id: 'rec', type: 'camflow-record', camera: 'cam', duration: 30, version: 1, wires: [['out']] }]);
    for (const round of [1, 2]) {
      const out = nextMessage(helper.getNode('out'));
      helper.getNode('rec').receive({ duration: 0.05, round });
      expect((await out).round).toBe(round);
      helper.getNode('out').removeAllListeners('input');
    }
    expect(recordRequests()).toEqual(['start 101', 'stop 101', 'start 101', 'stop 101']);
  });

  it('stops the recording when the flow is redeployed mid-recording', async () => {
    await load([{ id: 'rec', type: 'camflow-record', camera: 'cam', duration: 3600, version: 1, wires: [['out']] }]);
    const recording = statusMatching(helper.getNode('rec'), (s) => s.text === 'camflow.status.recording');
    helper.getNode('rec').receive({});
    await recording;
    await helper.unload();
    expect(sim.recordingTracks.size).toBe(0);
  });
});

describe('camflow-download', () => {
  const range = { from: '2024-05-01T11:15:00Z', to: '2024-05-01T12:00:00Z' };

  it('downloads each recording in the range, one message per file, with progress in the status', async () => {
    await load([{ id: 'dl', type: 'camflow-download', camera: 'cam', folder, hours: 12, version: 1, wires: [['out']] }], PASSWORD, true);
    const statuses: string[] = [];
    helper.getNode('dl').on('call:status', (call) => statuses.push(String(call.args[0]?.text)));
    // The simulator stores a 10-minute clip every 10 minutes up to 12:00: 11:10, 11:20, ... 11:50 overlap.
    const got = messages(helper.getNode('out'), 5);
    helper.getNode('dl').receive({ ...range });
    const files = await got;
    expect(files.map((m) => m.skipped)).toEqual([false, false, false, false, false]);
    for (const msg of files) {
      expect((await stat(msg.payload)).size).toBe(msg.file.size);
      expect(new Date(msg.file.to).getTime()).toBeGreaterThan(new Date(msg.file.from).getTime());
    }
    expect((await readdir(folder)).filter((f) => f.endsWith('.mp4'))).toHaveLength(5);
    // The status as the user reads it: files done of the total and the share of the bytes, then the total.
    expect(statuses[0]).toBe('0/5 files, 0%');
    for (const text of statuses.slice(0, -1)) expect(text).toMatch(/^[0-5]\/5 files, \d{1,3}%$/);
    expect(statuses).toContain('3/5 files, 60%');
    expect(statuses.slice(-2)).toEqual(['5/5 files, 100%', '5 files']);
  });

  it('without msg.from and msg.to, downloads the last N hours (the node\'s setting) up to now', async () => {
    // A camera whose recordings run up to a minute ago: one 10-minute clip every 10 minutes.
    await sim.stop();
    sim = new HikvisionSimulator({ username: 'admin', password: PASSWORD, recordingsEnd: new Date(Date.now() - 60_000) });
    await sim.start();
    await load([{ id: 'dl', type: 'camflow-download', camera: 'cam', folder, hours: 0.5, version: 1, wires: [['out']] }], PASSWORD, true);
    const finished = statusMatching(helper.getNode('dl'), (s) => s.fill === 'green');
    const got = messages(helper.getNode('out'), 3);
    const asked = Date.now();
    helper.getNode('dl').receive({ payload: 'go' });
    const files = await got;
    // The clips overlapping the last 30 minutes: ending a minute ago, 11 and 21 minutes ago.
    for (const msg of files) expect(new Date(msg.file.to).getTime()).toBeGreaterThan(asked - 30 * 60_000);
    expect((await finished).text).toBe('3 files');
    expect((await readdir(folder)).filter((f) => f.endsWith('.mp4'))).toHaveLength(3);
  });

  it('skips files that are already there', async () => {
    await load([{ id: 'dl', type: 'camflow-download', camera: 'cam', folder, hours: 12, version: 1, wires: [['out']] }]);
    const first = messages(helper.getNode('out'), 5);
    helper.getNode('dl').receive({ ...range });
    await first;
    const downloads = sim.requestLog.filter((entry) => entry.path.includes('download')).length;
    helper.getNode('out').removeAllListeners('input');
    const second = messages(helper.getNode('out'), 5);
    helper.getNode('dl').receive({ ...range });
    expect((await second).every((m) => m.skipped === true)).toBe(true);
    expect(sim.requestLog.filter((entry) => entry.path.includes('download')).length).toBe(downloads);
  });
});

describe('unloading a flow', () => {
  it('leaves no connection or alert stream open on the camera', async () => {
    await load([
      { id: 'ev', type: 'camflow-events', camera: 'cam', types: '', version: 1, wires: [['out']] },
      { id: 'a', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: '{{counter}}', sync: true, interval: 0.05, version: 1, wires: [[]] },
      { id: 'snap', type: 'camflow-snapshot', camera: 'cam', version: 1, wires: [['out']] },
    ]);
    await sim.waitForAlertStreams(1);
    const out = nextMessage(helper.getNode('out'));
    helper.getNode('snap').receive({});
    await out;
    await helper.unload();
    // The server sees the client's FIN a moment after close() returned: wait for that, bounded.
    await eventually('the camera to see every connection and alert stream closed', () => sim.stats.connectionsOpen === 0 && sim.stats.alertStreamsOpen === 0);
  });
});
