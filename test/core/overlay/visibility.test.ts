import { afterEach, describe, expect, it } from 'vitest';
import { requestsSince, Rig } from './helpers.js';

const rig = new Rig();
afterEach(() => rig.cleanup());

const LIST = '/ISAPI/System/Video/inputs/channels/1/overlays/text';

describe('overlay visibility', () => {
  it('makes every configured overlay visible in the first write, on a camera whose overlays start disabled', async () => {
    const camera = await rig.camera();
    expect([1, 2].map((id) => camera.overlay(1, id)?.enabled)).toEqual([false, false]);
    const sync = rig.engine({ cameras: [rig.spec('front', camera, [{ id: 1, text: 'Front door' }, { id: 2, text: '{{counter}}' }])] });

    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 2, failed: 0 });
    expect(camera.overlay(1, 1)).toMatchObject({ text: 'Front door', enabled: true });
    expect(camera.overlay(1, 2)).toMatchObject({ text: '1', enabled: true });
    // Text and visibility go in the same request.
    expect(requestsSince(camera, mark).filter((line) => line.startsWith('PUT'))).toEqual([`PUT ${LIST} 200`]);
  });

  it('keeps every other field of the overlay as the device had it', async () => {
    const camera = await rig.camera();
    const before = camera.overlay(1, 1);
    const position = { positionX: before?.positionX, positionY: before?.positionY };
    const sync = rig.engine({ cameras: [rig.spec('front', camera, [{ id: 1, text: 'Front door' }])] });
    await sync.runOnce();
    expect(camera.overlay(1, 1)).toMatchObject({ ...position, enabled: true });
  });

  it('hides an overlay configured with enabled: false that the camera shows, and leaves it alone after that', async () => {
    const camera = await rig.camera();
    // As if someone had switched it on in the camera's web page.
    camera.editOverlay(1, 3, { enabled: true, text: 'Old text' });
    const sync = rig.engine({
      cameras: [rig.spec('front', camera, [{ id: 1, text: 'Front door' }, { id: 3, text: 'Hidden', enabled: false }])],
    });

    await sync.runOnce();
    expect(camera.overlay(1, 1)).toMatchObject({ text: 'Front door', enabled: true });
    expect(camera.overlay(1, 3)).toMatchObject({ text: 'Old text', enabled: false });

    const mark = camera.requestLog.length;
    expect(await sync.runOnce()).toMatchObject({ updated: 0, failed: 0 });
    expect(requestsSince(camera, mark)).toEqual([]);
  });

  it('hides overlays even when none is configured to show', async () => {
    const camera = await rig.camera();
    camera.editOverlay(1, 2, { enabled: true });
    const sync = rig.engine({ cameras: [rig.spec('front', camera, [{ id: 2, text: 'x', enabled: false }])] });
    await sync.runOnce();
    expect(camera.overlay(1, 2)?.enabled).toBe(false);
  });
});
