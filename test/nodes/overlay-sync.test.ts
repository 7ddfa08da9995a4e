/**
 * camflow-overlay in sync mode when the camera or an overlay fails: the failure reaches Catch nodes
 * once when it starts (not on every cycle while it lasts), in words a user acts on, and the node turns
 * green again when the camera is back.
 */
import { HikvisionSimulator } from '@camflow/simulators';
import type { CameraStateChange, CycleReport, OverlaySync } from '@camflow/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import cameraNode, { type CameraNode } from 'node-red-contrib-camflow/dist/camera/camera.js';
import overlayNode from 'node-red-contrib-camflow/dist/overlay/overlay.js';
import { helper, nextMessage, onTab, statusReached, withCatch, type FlowNode } from '../helpers/nodered.js';

const PASSWORD = 'Sync-Pa55';
let sim: HikvisionSimulator;
let caught: Record<string, any>[];

async function load(overlay: Partial<FlowNode>, password = PASSWORD): Promise<void> {
  const flow = onTab(
    withCatch([
      { id: 'cam', type: 'camflow-camera', name: 'Back', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), version: 1 },
      { id: 'ov', type: 'camflow-overlay', camera: 'cam', overlay: 1, template: '', sync: true, interval: 0.05, version: 1, wires: [['out']], ...overlay },
      { id: 'out', type: 'helper' },
    ]),
    ['cam'],
  );
  await helper.load([cameraNode, overlayNode], flow, { cam: { username: 'admin', password } });
  caught = [];
  helper.getNode('caught').on('input', (msg) => caught.push(msg));
}

/** The camera's shared sync engine (the node already holds it; the test only listens). */
function engine(): OverlaySync {
  const camera = (helper.getNode('cam') as unknown as CameraNode).camera;
  const sync = camera.acquireOverlaySync('test-probe', 50);
  void camera.releaseOverlaySync('test-probe');
  return sync;
}

/** Resolves after `count` more sync cycles have ended. */
function cycles(count: number): Promise<CycleReport> {
  return new Promise((resolve) => {
    let seen = 0;
    const off = engine().on('cycle', (report) => {
      if (++seen < count) return;
      off();
      resolve(report);
    });
  });
}

function cameraState(predicate: (change: CameraStateChange) => boolean): Promise<CameraStateChange> {
  return new Promise((resolve) => {
    const off = engine().on('camera-state', (change) => {
      if (!predicate(change)) return;
      off();
      resolve(change);
    });
  });
}

beforeEach(async () => {
  sim = new HikvisionSimulator({ username: 'admin', password: PASSWORD });
  await sim.start();
});

afterEach(async () => {
  await helper.unload();
  await sim.stop();
});

describe('camflow-overlay sync mode errors', () => {
  it('rejected credentials reach the Catch node once, saying auth failed, with a red status', async () => {
    await load({ template: 'Hello' }, 'wrong');
    const first = nextMessage(helper.getNode('caught'));
    const msg = await first;
    expect(msg.error.source.id).toBe('ov');
    expect(msg.error.message).toMatch(/^AuthError: camera 'Back' rejected the user name or password \(auth failed\)/);
    expect(msg.error.message).not.toContain('wrong');
    expect(msg.topic).toBe('Back');
    const status = await statusReached('ov', 'red auth failed', (s) => s.fill === 'red');
    expect(status.text).toBe('camflow.status.authFailed');
    await cycles(5);
    expect(caught).toHaveLength(1);
    expect(sim.stats.failedLogins).toBe(1);
  });

  it('an unreachable camera is reported once while it stays down, and the node turns green when it is back', async () => {
    await load({ template: 'n{{counter}}' });
    await statusReached('ov', 'green: the first text written', (s) => s.fill === 'green');
    const failing = nextMessage(helper.getNode('caught'));
    const retriedAndFailed = cameraState((change) => change.state === 'backoff' && change.previous === 'backoff');
    sim.setFaults({ offline: true });
    const msg = await failing;
    expect(msg.error.source.id).toBe('ov');
    expect(msg.error.message).toMatch(/^(ConnectionError|TimeoutError): camera 'Back' is unreachable/);
    expect((await statusReached('ov', 'red unreachable', (s) => s.fill === 'red')).text).toMatch(/camflow\.status\.(unreachable|timeout)/);
    // The engine tried the camera again after its back-off, and failed again: still one report.
    await retriedAndFailed;
    await cycles(1);
    expect(caught).toHaveLength(1);
    sim.setFaults({ offline: false });
    const back = await statusReached('ov', 'green again after the camera is back', (s) => s.fill === 'green', 10_000);
    expect(back.text).toMatch(/^n\d+$/);
    expect(caught).toHaveLength(1);
  });

  it('an overlay the camera does not have is reported once, naming the overlay and the reason', async () => {
    await load({ overlay: 6, template: 'Six' });
    const msg = await nextMessage(helper.getNode('caught'));
    expect(msg.error.message).toBe("ConfigError: overlay 6 on camera 'Back': overlay 6 does not exist on 'Back' (it has 1, 2, 3, 4)");
    expect(msg.error.code).toBe('CONFIG_INVALID');
    expect((await statusReached('ov', 'red bad config', (s) => s.fill === 'red')).text).toBe('camflow.status.badConfig');
    await cycles(5);
    expect(caught).toHaveLength(1);
  });
});
