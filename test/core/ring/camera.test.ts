/**
 * A `type: ring` camera against the fake Ring cloud, through ring-client-api's real REST client (its
 * fetch pointed at the fake): details, snapshots, dings and motion from the watchdog and from the
 * library's push path (once, never twice, also across a restart), token refresh, a revoked login
 * and a dead cloud.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CameraEvent, ConnectionError, createCamera, parseConfig, type RingCamera, RingLoginRequiredError, RingTokenStore } from '@camflow/core';
import type { FakeRingCloud } from '@camflow/simulators';
import { startFakeRing } from '../../helpers/ring.js';

const PICTURE = await readFile(new URL('../../fixtures/detect/people.jpg', import.meta.url));
const FRONT = 101;
const GARDEN = 202;

let dir: string;
let cloud: FakeRingCloud;
const open: RingCamera[] = [];

beforeAll(() => {
  // Read by the account when it opens: the library's hosts are hard-coded.
  delete process.env.CAMFLOW_RING_API_BASE;
});
afterAll(() => {
  delete process.env.CAMFLOW_RING_API_BASE;
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-camera-'));
  ({ cloud } = await startFakeRing(dir, [
    { id: FRONT, description: 'Front Door', doorbell: true, snapshot: PICTURE },
    { id: GARDEN, description: 'Garden', doorbell: false, snapshot: PICTURE, battery: 80 },
  ]));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await cloud.stop();
  delete process.env.CAMFLOW_RING_API_BASE;
  await rm(dir, { recursive: true, force: true });
});

function ring(device: string | number, extra: Record<string, unknown> = {}): RingCamera {
  const config = parseConfig(JSON.stringify({ cameras: [{ id: `ring-${String(device).toLowerCase().replace(/\W+/g, '-')}`, type: 'ring', device, data_dir: dir, push: false, ...extra }] }));
  const camera = createCamera(config.cameras[0]!);
  if (camera.kind !== 'ring') throw new Error('not a ring camera');
  open.push(camera);
  return camera;
}

/** Collects the camera's events until `count` arrived. */
function collect(camera: RingCamera, signal: AbortSignal): { events: CameraEvent[]; until: (count: number) => Promise<void> } {
  const events: CameraEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  void (async () => {
    for await (const event of camera.events(signal)) {
      events.push(event);
      for (const w of waiters.filter((w) => events.filter((e) => e.state === 'active').length >= w.count)) w.resolve();
    }
  })();
  return { events, until: (count) => new Promise((resolve) => (events.filter((e) => e.state === 'active').length >= count ? resolve() : waiters.push({ count, resolve }))) };
}

describe('Ring camera (type: ring)', () => {
  it('tells a doorbell from a stick-up cam and serves its snapshot', async () => {
    const front = ring('Front Door');
    expect(await front.details()).toMatchObject({ manufacturer: 'Ring', doorbell: true, serialNumber: expect.stringMatching(/^a1b2/) });
    expect((await front.snapshot()).equals(PICTURE)).toBe(true);
    const garden = ring(GARDEN);
    expect((await garden.details()).doorbell).toBe(false);
    // Two cameras, one login: the token was refreshed once, not by each camera in turn.
    expect(cloud.requests.filter((r) => r.path === '/oauth/token').length).toBe(2); // the login, then one refresh
  });

  it('names the devices it has when the configured one does not exist', async () => {
    const error = await ring('Back Door').snapshot().catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/no device "Back Door".*Front Door \(101\).*Garden \(202\)/);
  });

  it('reports a ding the push channel missed once, from the event history, and never again after a restart', async () => {
    cloud.devices.addEvent(FRONT, { kind: 'motion', at: new Date(Date.now() - 3_600_000) });
    const controller = new AbortController();
    const first = ring('Front Door', { watchdog: '150ms' });
    const seen = collect(first, controller.signal);
    // The first poll only marks where the history stands: the hour-old motion is not news.
    await waitFor(async () => (await readFile(join(dir, 'ring-events-ring-front-door.json'), 'utf8').catch(() => '')).includes('watermark'));
    const ding = cloud.devices.addEvent(FRONT, { kind: 'ding', person: true });
    await seen.until(1);
    const active = seen.events.filter((e) => e.state === 'active');
    expect(active).toEqual([expect.objectContaining({ type: 'ding', id: ding.id, description: 'person' })]);
    // More polls of the same history add nothing.
    const polls = cloud.requests.filter((r) => r.path.endsWith('/events')).length;
    await waitFor(() => cloud.requests.filter((r) => r.path.endsWith('/events')).length >= polls + 3);
    expect(seen.events.filter((e) => e.state === 'active')).toHaveLength(1);
    controller.abort();
    await first.close();

    const again = new AbortController();
    const second = ring('Front Door', { watchdog: '150ms' });
    const after = collect(second, again.signal);
    const motion = cloud.devices.addEvent(FRONT, { kind: 'motion' });
    await after.until(1);
    await waitFor(() => cloud.requests.filter((r) => r.path.endsWith('/events')).length >= polls + 8);
    expect(after.events.filter((e) => e.state === 'active').map((e) => e.id)).toEqual([motion.id]);
    again.abort();
  });

  it('a ding that came by push is not reported again when the watchdog sees it in the history', async () => {
    const controller = new AbortController();
    const camera = ring('Front Door', { watchdog: '150ms' });
    const seen = collect(camera, controller.signal);
    await waitFor(async () => (await readFile(join(dir, 'ring-events-ring-front-door.json'), 'utf8').catch(() => '')).includes('watermark'));
    const event = cloud.devices.addEvent(FRONT, { kind: 'ding' });
    // What the library's push receiver hands each device (api.js registerPushReceiver -> processPushNotification).
    const device = await camera.client.device();
    device.processPushNotification({
      version: '2.0.0',
      android_config: { category: 'com.ring.pn.live-event.ding', body: 'There is someone at your Front Door' },
      data: { device: { id: FRONT, kind: 'doorbell_v4', name: 'Front Door', e2ee_enabled: false }, event: { ding: { id: event.id, created_at: event.at.toISOString(), subtype: 'ding' } } },
    } as never);
    await seen.until(1);
    const polls = cloud.requests.filter((r) => r.path.endsWith('/events')).length;
    await waitFor(() => cloud.requests.filter((r) => r.path.endsWith('/events')).length >= polls + 3);
    expect(seen.events.filter((e) => e.state === 'active')).toEqual([expect.objectContaining({ type: 'ding', id: event.id })]);
    controller.abort();
  });

  it('refreshes an expired access token by itself and stores the rotated refresh token', async () => {
    const camera = ring('Front Door');
    await camera.snapshot();
    const before = (await new RingTokenStore(dir).require()).refreshToken;
    cloud.expireAccessTokens();
    expect((await camera.snapshot()).equals(PICTURE)).toBe(true);
    await camera.close();
    const after = await new RingTokenStore(dir).require();
    expect(after.refreshToken).not.toBe(before);
    expect((await stat(join(dir, 'ring-token.json'))).mode & 0o777).toBe(0o600);
  });

  it('a revoked login is one clear "log in again" error, for a call and for whoever watches the events', async () => {
    cloud.revokeAll();
    const error = await ring('Front Door').snapshot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RingLoginRequiredError);
    expect((error as Error).message).toMatch(/camera ring-front-door: .*camflow ring login/);
    const watching = (async () => {
      for await (const event of ring('Front Door').events(AbortSignal.timeout(10_000))) void event;
    })();
    await expect(watching).rejects.toThrow(/camflow ring login/);
  });

  it('a Ring cloud that stops answering fails the call in time instead of retrying forever', async () => {
    const camera = ring('Front Door', { timeout: '1s' });
    await camera.details();
    await cloud.stop();
    const error = await camera.snapshot().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
