import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from './helpers.js';

const rig = new Rig();
afterEach(() => rig.cleanup());

const CAPABILITIES = 'GET /ISAPI/System/Video/inputs/channels/1/overlays/text/capabilities';

describe('a camera without an overlay capabilities document (plain 404)', () => {
  it('is validated and written with the same fallback limit of 44, asked for once', async () => {
    const camera = await rig.camera({ noOverlayCapabilities: true });
    const sync = rig.engine({ cameras: [rig.spec('old', camera, [{ id: 1, text: 'Front door' }, { id: 2, text: '{{counter}}' }])] });

    const validation = await sync.validate();
    expect(validation[0]).toMatchObject({ ok: true, textLimit: 44 });

    const first = await sync.runOnce();
    expect(first).toMatchObject({ updated: 2, failed: 0 });
    expect(camera.overlay(1, 1)?.text).toBe('Front door');
    expect(await sync.runOnce()).toMatchObject({ updated: 1, failed: 0 });
    const asked = camera.requestLog.filter((entry) => `${entry.method} ${entry.path}` === CAPABILITIES);
    expect(asked.map((entry) => entry.status)).toEqual([404]);
  });
});
