/**
 * A TrailCam's live video as an ffmpeg input, against the simulator (real H.264 in live records over
 * real UDP): ffmpeg copies it into a clip that ffprobe reads as H.264 at the camera's size, starting
 * at a key frame; the camera streams only while ffmpeg reads (258 on connect, 259 when it leaves);
 * two viewers share one stream; a camera that cannot be reached fails before any stream is promised.
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

/** ffmpeg copies `seconds` of the live video into `name`; resolves with what ffprobe reads there. */
async function record(input: string[], seconds: number, name: string): Promise<{ codec: string; width: number; height: number; duration: number }> {
  const clip = join(dir, name);
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...input, '-t', String(seconds), '-map', '0:v:0', '-c', 'copy', '-f', 'mp4', '-y', clip], { timeout: 60_000 });
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', clip]);
  const probe = JSON.parse(stdout) as { streams: { codec_name: string; width: number; height: number }[]; format: { duration: string } };
  const [stream] = probe.streams;
  return { codec: stream?.codec_name ?? '', width: stream?.width ?? 0, height: stream?.height ?? 0, duration: Number(probe.format.duration) };
}

describe('TrailCam live video', () => {
  it('is H.264 ffmpeg copies into a clip, streamed only while ffmpeg reads', async () => {
    const camera = trail();
    const live = await camera.liveVideo();
    expect(live.description).toBe('TrailCam live video of camera trail');
    expect(commands()).not.toContain(258); // nobody reads yet
    const clip = await record(live.input, 3, 'live.mp4');
    expect(clip).toMatchObject({ codec: 'h264', width: 320, height: 180 });
    expect(clip.duration).toBeGreaterThan(2);
    // ffmpeg left after 3 s: the camera was told to stop.
    await expect.poll(commands, { timeout: 10_000 }).toContain(259);
    expect(commands().filter((c) => c === 258)).toHaveLength(1);
    await live.close();
    await live.close(); // idempotent
  }, 60_000);

  it('shares one stream between two viewers: one start, and the first leaving does not stop the other', async () => {
    const camera = trail();
    const [first, second] = await Promise.all([camera.liveVideo(), camera.liveVideo()]);
    const [short, long] = await Promise.all([record(first.input, 1, 'first.mp4'), record(second.input, 4, 'second.mp4')]);
    expect(short.duration).toBeGreaterThan(0.5);
    // Still fed for 3 s after the first viewer left (a 259 then would have starved it).
    expect(long.duration).toBeGreaterThan(3);
    await expect.poll(commands, { timeout: 10_000 }).toContain(259);
    expect(commands().filter((c) => c === 258)).toHaveLength(1);
    expect(commands().filter((c) => c === 259)).toHaveLength(1);
    await Promise.all([first.close(), second.close()]);
  }, 60_000);

  it('fails at once when the camera cannot be reached', async () => {
    const camera = trail();
    await sim.stop();
    await expect(camera.liveVideo()).rejects.toThrow(/^camera trail: no live video: no path connected within 3000 ms$/);
  }, 30_000);
});
