import { afterEach, describe, expect, it } from 'vitest';
import { CameraHttpClient, TemplateError, type CameraStateChange, type OverlayOutcome } from '@camflow/core';
import { requestsSince, Rig, waitFor } from './helpers.js';

const rig = new Rig();
afterEach(() => rig.cleanup());

const LIST = '/ISAPI/System/Video/inputs/channels/1/overlays/text';

describe('OverlaySync against the simulated camera', () => {
  it('writes every overlay on first contact, then only text that changed, in one request per camera', async () => {
    const camera = await rig.camera();
    const positionBefore = camera.overlay(1, 2);
    const sync = rig.engine({
      cameras: [
        rig.spec('back', camera, [
          { id: 1, text: '{{counter}} - {{now:YYYY-MM-DD}}' },
          { id: 2, text: 'Back garden' },
          { id: 3, text: 'Outside {{value.temperature:0.1}} °C' },
        ]),
      ],
    });

    const first = await sync.runOnce();
    expect(first).toMatchObject({ cycle: 1, updated: 3, unchanged: 0, failed: 0, skipped: {}, late: [] });
    expect(Object.keys(first.cameras)).toEqual(['back']);
    expect(camera.overlay(1, 1)?.text).toMatch(/^1 - \d{4}-\d{2}-\d{2}$/);
    expect(camera.overlay(1, 2)?.text).toBe('Back garden');
    expect(camera.overlay(1, 3)?.text).toBe('Outside -- °C');
    // Writing the text keeps what else the device had.
    expect(camera.overlay(1, 2)).toMatchObject({ positionX: positionBefore?.positionX, positionY: positionBefore?.positionY });
    // Exactly one list PUT went out for three overlays, and one 401 at most (the first contact).
    expect(requestsSince(camera, 0).filter((line) => line.startsWith('PUT'))).toEqual([`PUT ${LIST} 200`]);
    expect(camera.stats.unauthorized).toBe(1);

    let mark = camera.requestLog.length;
    const second = await sync.runOnce();
    expect(second).toMatchObject({ cycle: 2, updated: 1, unchanged: 2, failed: 0 });
    expect(requestsSince(camera, mark)).toEqual([`PUT ${LIST} 200`]);
    expect(camera.overlay(1, 1)?.text).toMatch(/^2 - /);

    sync.setValue('temperature', 21.46);
    mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 2, unchanged: 1 });
    expect(camera.overlay(1, 3)?.text).toBe('Outside 21.5 °C');
    expect(requestsSince(camera, mark)).toEqual([`PUT ${LIST} 200`]);
    expect(camera.stats.unauthorized).toBe(1);
    expect(rig.messages('info').filter((m) => /^✓ Updated overlay 3 on 'Back': "Outside 21\.5 °C" \(\d+ms\)$/.test(m))).toHaveLength(1);
  });

  it('sends nothing at all when no text changed', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({ cameras: [rig.spec('front', camera, [{ id: 1, text: 'Front door' }, { id: 2, text: '{{value.status}}' }])] });
    await sync.runOnce();
    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 0, unchanged: 2, failed: 0 });
    expect(await sync.runOnce()).toMatchObject({ updated: 0, unchanged: 2, failed: 0 });
    expect(requestsSince(camera, mark)).toEqual([]);
  });

  it('writes overlay by overlay, one request per changed overlay, when batching is off', async () => {
    const camera = await rig.camera({ batchOverlays: false });
    const sync = rig.engine({
      cameras: [rig.spec('side', camera, [{ id: 1, text: '{{counter}}' }, { id: 2, text: 'Side' }, { id: 4, text: 'x{{counter}}' }], { batch: false })],
    });
    await sync.runOnce();
    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 2, unchanged: 1 });
    expect(requestsSince(camera, mark).sort()).toEqual([`PUT ${LIST}/1 200`, `PUT ${LIST}/4 200`]);
    expect([camera.overlay(1, 1)?.text, camera.overlay(1, 2)?.text, camera.overlay(1, 4)?.text]).toEqual(['2', 'Side', 'x2']);
  });

  it('re-writes unchanged overlays once the resync period is up', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({ resyncMs: 1, cameras: [rig.spec('front', camera, [{ id: 1, text: 'Front door' }, { id: 2, text: 'Static' }])] });
    await sync.runOnce();
    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 2, unchanged: 0 });
    expect(requestsSince(camera, mark)).toEqual([`GET ${LIST} 200`, `PUT ${LIST} 200`]);
  });

  it('stops writing an overlay once it is removed, and keeps writing the others', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({ cameras: [rig.spec('front', camera, [{ id: 1, text: 'a{{counter}}' }, { id: 2, text: 'b{{counter}}' }])] });
    await sync.runOnce();
    expect(sync.removeOverlay('front', 2)).toBe(true);
    expect(sync.removeOverlay('front', 2)).toBe(false);
    expect(await sync.runOnce()).toMatchObject({ updated: 1, unchanged: 0, failed: 0 });
    expect([camera.overlay(1, 1)?.text, camera.overlay(1, 2)?.text]).toEqual(['a2', 'b1']);
  });

  it('keeps settings changed on the camera since first contact (its web UI) when it resyncs', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({ resyncMs: 1, cameras: [rig.spec('front', camera, [{ id: 2, text: 'Static' }])] });
    await sync.runOnce();
    // What the camera's web UI does: a PUT of the single overlay with a new position.
    const web = new CameraHttpClient({ origin: camera.url, username: 'admin', password: 'password' });
    try {
      const path = `${LIST}/2`;
      const current = (await web.request({ method: 'GET', path })).body.toString('utf8');
      const moved = current.replace(/<positionX>\d+<\/positionX>/, '<positionX>300</positionX>');
      expect((await web.request({ method: 'PUT', path, body: moved, headers: { 'content-type': 'application/xml' } })).status).toBe(200);
    } finally {
      await web.close();
    }
    expect(await sync.runOnce()).toMatchObject({ updated: 1 });
    expect(camera.overlay(1, 2)).toMatchObject({ text: 'Static', positionX: 300 });
  });

  it('truncates a text longer than the device allows with one warning, or fails it with overflow: error', async () => {
    const camera = await rig.camera({ maxTextLength: 10 });
    const sync = rig.engine({
      cameras: [
        rig.spec('front', camera, [
          { id: 1, text: 'Front door camera {{counter}}' },
          { id: 2, text: 'Also far too long', overflow: 'error' },
        ]),
      ],
    });
    const overlays: OverlayOutcome[] = [];
    sync.on('overlay', (outcome) => void overlays.push(outcome));
    expect(await sync.runOnce()).toMatchObject({ updated: 1, failed: 1 });
    expect(await sync.runOnce()).toMatchObject({ updated: 0, unchanged: 1, failed: 1 });
    expect(camera.overlay(1, 1)?.text).toBe('Front door');
    expect(camera.overlay(1, 2)?.text).toBe('');
    expect(overlays.find((o) => o.overlayId === 1)).toMatchObject({ status: 'updated', text: 'Front door', truncated: true });
    expect(overlays.find((o) => o.overlayId === 2)).toMatchObject({ status: 'failed', error: "text is 17 characters; 'Front' allows 10" });
    expect(rig.messages('warn').filter((m) => m.includes('truncated'))).toHaveLength(1);
  });

  it('reports an overlay id the camera does not have and still writes the others', async () => {
    const camera = await rig.camera({ overlayCount: 4 });
    const sync = rig.engine({ cameras: [rig.spec('back', camera, [{ id: 1, text: 'ok' }, { id: 6, text: 'nowhere' }])] });
    expect(await sync.runOnce()).toMatchObject({ updated: 1, failed: 1 });
    expect(rig.messages('warn')).toContain("✗ Failed to update overlay 6 on 'Back' (0ms): overlay 6 does not exist on 'Back' (it has 1, 2, 3, 4)");
    const [validation] = await sync.validate();
    expect(validation).toMatchObject({ ok: false, deviceOverlays: [1, 2, 3, 4], textLimit: 44 });
    expect(validation?.problems).toEqual(['overlay 6 does not exist on the camera (it has 1, 2, 3, 4)']);
  });

  it('changes templates and enables cameras at run time', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({ cameras: [rig.spec('back', camera, [{ id: 1, text: 'Before' }])] });
    await sync.runOnce();
    sync.setOverlayText('back', 1, 'After {{value.n:000}}');
    sync.setValue('n', 7);
    expect(await sync.runOnce()).toMatchObject({ updated: 1 });
    expect(camera.overlay(1, 1)?.text).toBe('After 007');
    expect(() => sync.setOverlayText('back', 1, '{{nope}}')).toThrow(TemplateError);
    expect(() => sync.setOverlayText('nobody', 1, 'x')).toThrow(/unknown camera 'nobody'/);

    const states: CameraStateChange[] = [];
    sync.on('camera-state', (change) => void states.push(change));
    sync.setEnabled('back', false);
    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 0, skipped: { back: 'disabled' } });
    expect(requestsSince(camera, mark)).toEqual([]);
    sync.setEnabled('back', true);
    // Enabled again: read and fully re-written, as after any absence.
    expect(await sync.runOnce()).toMatchObject({ updated: 1, skipped: {} });
    expect(states.map((s) => s.state)).toEqual(['disabled', 'ok']);
  });

  it('parks a camera that rejects the credentials, without further logins, and reports it', async () => {
    const good = await rig.camera();
    const locked = await rig.camera({ password: 'something-else' });
    const sync = rig.engine({
      cameras: [rig.spec('good', good, [{ id: 1, text: '{{counter}}' }]), rig.spec('locked', locked, [{ id: 1, text: '{{counter}}' }])],
    });
    const parked = waitFor(sync, 'camera-state', (change) => change.state === 'parked');
    expect(await sync.runOnce()).toMatchObject({ updated: 1, failed: 0, cameras: { good: expect.any(Number) as number } });
    expect(await parked).toMatchObject({ cameraId: 'locked', previous: 'idle', reason: expect.stringMatching(/./) as string });
    expect(locked.stats.failedLogins).toBe(1);
    const requests = locked.stats.requests;
    for (let i = 0; i < 3; i++) expect(await sync.runOnce()).toMatchObject({ updated: 1, skipped: { locked: 'parked' } });
    expect(locked.stats.requests).toBe(requests);
    expect(locked.stats.lockedOut).toBe(0);
    expect(rig.messages('error').some((m) => m.startsWith("Camera 'Locked' rejected the credentials"))).toBe(true);
    expect(sync.status().find((s) => s.id === 'locked')?.state).toBe('parked');
  });

  it('backs off a failing camera and fully re-writes it when it comes back', async () => {
    const camera = await rig.camera();
    const sync = rig.engine({
      intervalMs: 20,
      backoff: { initialMs: 40, maxMs: 40 },
      random: () => 0,
      cameras: [rig.spec('back', camera, [{ id: 1, text: 'Static one' }, { id: 2, text: 'Static two' }, { id: 3, text: '{{counter}}' }])],
    });
    await sync.runOnce();
    camera.setFaults({ offline: true });
    const backoff = waitFor(sync, 'camera-state', (change) => change.state === 'backoff');
    expect(await sync.runOnce()).toMatchObject({ failed: 1, updated: 0 });
    expect(await backoff).toMatchObject({ cameraId: 'back', previous: 'ok', retryAt: expect.any(Date) as Date });
    expect(await sync.runOnce()).toMatchObject({ skipped: { back: 'backoff' } });
    camera.setFaults({ offline: false });
    const back = waitFor(sync, 'camera-state', (change) => change.state === 'ok');
    const recovered = waitFor(sync, 'cycle', (report) => report.cameras['back'] !== undefined);
    sync.start();
    await back;
    // Everything, including the two texts that never changed, is written again.
    expect(await recovered).toMatchObject({ updated: 3, failed: 0 });
    expect(rig.messages('info')).toContain("Camera 'Back' is back after 1 failed attempt(s)");
  });
});
