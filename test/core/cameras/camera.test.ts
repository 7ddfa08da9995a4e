/** createCamera: one snapshot/close API over a Hikvision and a P2P camera, each against its simulator. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cameraConfig, createCamera, nextEvent, type Camera } from '@camflow/core';
import { HikvisionSimulator, TrailCamSimulator, thumbnailJpeg } from '@camflow/simulators';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function track(camera: Camera): Camera {
  cleanup.push(() => camera.close());
  return camera;
}

describe('createCamera with a Hikvision config', () => {
  it("takes the configured channel's snapshot, exposes the ISAPI client, and closes every connection", async () => {
    const sim = new HikvisionSimulator({ channels: 2 });
    await sim.start();
    cleanup.push(() => sim.stop());
    const config = cameraConfig.parse({ id: 'gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password', channel: 2 });
    const camera = track(createCamera(config));
    expect(camera).toMatchObject({ kind: 'hikvision', id: 'gate' });
    expect(sim.stats.requests).toBe(0); // creating a camera does no I/O
    const jpeg = await camera.snapshot();
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(sim.requestLog.some((entry) => entry.path === '/ISAPI/Streaming/channels/201/picture')).toBe(true);
    if (camera.kind !== 'hikvision') throw new Error('expected a Hikvision camera');
    expect((await camera.client.deviceInfo()).model).toBe('DS-2CD2143G2-I');
    await camera.close();
    await camera.close();
    await vi.waitFor(() => expect(sim.stats.connectionsOpen).toBe(0));
  });

  it('a cancelled snapshot rejects', async () => {
    const sim = new HikvisionSimulator({ latencyMs: 5000 });
    await sim.start();
    cleanup.push(() => sim.stop());
    const camera = track(createCamera(cameraConfig.parse({ id: 'gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' })));
    const controller = new AbortController();
    const taking = camera.snapshot({ signal: controller.signal });
    controller.abort();
    await expect(taking).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('createCamera with a P2P config', () => {
  async function trailCamera() {
    const sim = new TrailCamSimulator({ photos: 3 });
    await sim.start();
    cleanup.push(() => sim.stop());
    const config = cameraConfig.parse({
      id: 'trail',
      type: 'p2p',
      did: 'LBCS-000000-CCCJJ',
      host: '127.0.0.1',
      lan_port: sim.lanPort,
      ports: [sim.sessionPort],
      relay: false,
      password: 'admin',
      timeout: '3s',
    });
    const camera = track(createCamera(config));
    if (camera.kind !== 'p2p') throw new Error('expected a P2P camera');
    return { sim, camera };
  }

  it('connects on the first snapshot (once, for concurrent calls) and returns the newest photo', async () => {
    const { sim, camera } = await trailCamera();
    expect(camera.client.connected).toBe(false);
    const [a, b] = await Promise.all([camera.snapshot(), camera.snapshot()]);
    expect(a).toEqual(thumbnailJpeg(100, sim.photos[0]!.mediaNum));
    expect(b).toEqual(a);
    expect(sim.stats.sessionsOpened).toBe(1);
    await camera.snapshot();
    expect(sim.stats.sessionsOpened).toBe(1);
  });

  it('connects again after the camera dropped the session, and close() frees the session', async () => {
    const { sim, camera } = await trailCamera();
    await camera.snapshot();
    const dropped = nextEvent(camera.client, 'disconnected');
    sim.closeAllSessions();
    await dropped;
    expect(camera.client.connected).toBe(false);
    expect(await camera.snapshot()).toEqual(thumbnailJpeg(100, sim.photos[0]!.mediaNum));
    expect(sim.stats.sessionsOpened).toBe(2);
    await camera.close();
    await vi.waitFor(() => expect(sim.activeSessions).toHaveLength(0));
  });
});
