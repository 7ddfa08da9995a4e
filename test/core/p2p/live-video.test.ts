/**
 * A TrailCam's live video as an ffmpeg input, against the simulator (real H.264 in live records over
 * real UDP): ffmpeg copies it into a clip that ffprobe reads as H.264 at the camera's size, starting
 * at a key frame; the camera streams only while ffmpeg reads (258 on connect, 259 when it leaves);
 * a camera that cannot be reached fails before any stream is promised.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCamera, parseConfig, type P2pCamera } from '@camflow/core';
import { TrailCamSimulator } from '@camflow/simulators';

const run = promisify(execFile);
let sim: TrailCamSimulator;
let dir: string;
const open: P2pCamera[] = [];

beforeEach(async () => {
  sim = new TrailCamSimulator({ photos: 1 });
  await sim.start();
  dir = await mkdtemp(join(tmpdir(), 'camflow-trail-live-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

function trail(port = sim.sessionPort, password = 'admin'): P2pCamera {
  const config = parseConfig(
    JSON.stringify({ cameras: [{ id: 'trail', type: 'p2p', did: 'LBCS-000000-CCCJJ', host: '127.0.0.1', lan_port: sim.lanPort, ports: [port], relay: false, username: 'admin', password, timeout: '3s' }] }),
  );
  const camera = createCamera(config.cameras[0]!);
  if (camera.kind !== 'p2p') throw new Error('not a p2p camera');
  open.push(camera);
  return camera;
}

const commands = (): number[] => [...sim.commands];

describe('TrailCam live video', () => {
  it('is H.264 ffmpeg copies into a clip, streamed only while ffmpeg reads', async () => {
    const camera = trail();
    const live = await camera.liveVideo();
    expect(live.description).toBe('TrailCam live video of camera trail');
    expect(commands()).not.toContain(258); // nobody reads yet
    const clip = join(dir, 'live.mp4');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...live.input, '-t', '3', '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', '-y', clip], { timeout: 60_000 });
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', clip]);
    const probe = JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[]; format: { duration: string } };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'h264', width: 320, height: 180 });
    expect(Number(probe.format.duration)).toBeGreaterThan(2);
    // ffmpeg left after 3 s: the camera was told to stop.
    await expect.poll(commands, { timeout: 10_000 }).toContain(259);
    expect(commands().filter((c) => c === 258)).toHaveLength(1);
    await live.close();
    await live.close(); // idempotent
  }, 60_000);

  it('fails at once when the camera cannot be reached', async () => {
    const camera = trail();
    await sim.stop();
    await expect(camera.liveVideo()).rejects.toThrow(/^camera trail: no live video: no path connected within 3000 ms$/);
  }, 30_000);
});
