/**
 * Ring live view against the fake Ring cloud: the signalling ticket and WebSocket the library uses, a
 * real WebRTC exchange (werift on both sides, the library's own peer connection on ours), and the
 * camera's H.264 arriving as an ffmpeg input that ffmpeg records by stream copy (checked with
 * ffprobe). Closing hangs up: the fake sees the client's `close` and stops sending. A camera that is
 * offline, or a cloud that never answers the call, is one clear error. (Ring hanging up on its own is
 * tested through HomeKit, in test/homebridge/ring-doorbell.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, createCamera, parseConfig, type RingCamera } from '@camflow/core';
import type { FakeRingCloud } from '@camflow/simulators';
import { startFakeRing } from '../../helpers/ring.js';

const run = promisify(execFile);
const PICTURE = await readFile(new URL('../../fixtures/detect/people.jpg', import.meta.url));

let dir: string;
let cloud: FakeRingCloud;
const open: RingCamera[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'camflow-ring-live-'));
  ({ cloud } = await startFakeRing(dir, [
    { id: 101, description: 'Front Door', doorbell: true, snapshot: PICTURE },
    { id: 303, description: 'Shed', doorbell: false, snapshot: PICTURE, offline: true },
  ]));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await cloud.stop();
  delete process.env.CAMFLOW_RING_API_BASE;
  await rm(dir, { recursive: true, force: true });
});

function ring(device: string | number): RingCamera {
  const config = parseConfig(JSON.stringify({ cameras: [{ id: 'front', type: 'ring', device, data_dir: dir, push: false, timeout: '15s' }] }));
  const camera = createCamera(config.cameras[0]!);
  if (camera.kind !== 'ring') throw new Error('not a ring camera');
  open.push(camera);
  return camera;
}

describe('Ring live view (WebRTC)', () => {
  it('gives ffmpeg the camera H.264, copied into a clip, and hangs up on close', async () => {
    const live = await ring('Front Door').liveVideo();
    expect(live.description).toBe('Ring live view of Front Door');
    const clip = join(dir, 'live.mp4');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...live.input, '-t', '3', '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', '-y', clip], { timeout: 60_000 });
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', clip]);
    expect(JSON.parse(stdout)).toMatchObject({ streams: [{ codec_name: 'h264', width: 640, height: 360 }] });
    const view = cloud.live.views.at(-1)!;
    expect(view).toMatchObject({ deviceId: 101 });
    expect(view.packetsSent).toBeGreaterThan(20);
    // The library keeps the session alive the way the Ring app does.
    expect(view.methods).toContain('activate_session');
    expect(cloud.live.active).toBe(1);
    await live.close();
    await expect.poll(() => cloud.live.active, { timeout: 10_000 }).toBe(0);
    expect(view.ended).toMatch(/close message|socket closed/);
    await live.close(); // idempotent
  }, 90_000);

  it('says so when the camera is offline, and when Ring does not answer the call', async () => {
    await expect(ring('Shed').liveVideo()).rejects.toThrow(/camera front: Ring says Shed is offline/);
    cloud.live.answer = false;
    const error = await ring('Front Door').liveVideo({ timeoutMs: 3000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toBe('camera front: Ring did not answer the live view in 3 s');
    await expect.poll(() => cloud.live.active, { timeout: 10_000 }).toBe(0);
  }, 60_000);
});
