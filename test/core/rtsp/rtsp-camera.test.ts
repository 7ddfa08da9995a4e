/**
 * An RTSP camera against a real RTSP server (GStreamer's gst-rtsp-server, digest auth, an H.264 moving
 * test pattern): snapshot, clips by stream copy (checked with ffprobe), the pre-event buffer, gray
 * frames, clear errors, no password anywhere, and no ffmpeg left after close.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, type Camera, cameraConfig, ConnectionError, createCamera, createLogger, type LogRecord, StreamNotFoundError } from '@camflow/core';
import { type RtspServer, startRtspServer } from '../../helpers/rtsp-server.js';

let server: RtspServer;
let dir: string;
const cameras: Camera[] = [];
const logs: LogRecord[] = [];

beforeAll(async () => {
  server = await startRtspServer({ password: 'rtsp-Secret-9' });
  dir = await mkdtemp(join(tmpdir(), 'camflow-rtsp-'));
}, 30_000);
afterAll(async () => {
  for (const camera of cameras) await camera.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

function camera(overrides: Record<string, unknown> = {}): Camera {
  const config = cameraConfig.parse({ id: 'gate', type: 'rtsp', url: server.url, username: 'admin', password: server.password, timeout: '5s', ...overrides });
  const made = createCamera(config, createLogger({ level: 'debug', sink: (record) => logs.push(record) }));
  cameras.push(made);
  return made;
}

function probe(file: string): { codec: string; duration: number; moovFirst: boolean } {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=duration', '-of', 'json', file]).toString()) as {
    streams: { codec_name: string }[];
    format: { duration: string };
  };
  const bytes = readFileSync(file);
  return { codec: out.streams[0]?.codec_name ?? '', duration: Number(out.format.duration), moovFirst: bytes.indexOf('moov') < bytes.indexOf('mdat') };
}

/** ffmpeg processes whose arguments carry this test server's port. */
function ffmpegsOfServer(): number {
  const pids = execFileSync('ps', ['-eo', 'args']).toString().split('\n');
  return pids.filter((line) => line.startsWith('ffmpeg') && line.includes(`:${server.port}/`)).length;
}

describe('RTSP camera', () => {
  it('takes a snapshot: a JPEG of the stream size', async () => {
    const jpeg = await camera().snapshot();
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    const size = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: jpeg }).toString().trim();
    expect(size).toBe('640,360');
  }, 30_000);

  it('describes itself from the stream', async () => {
    expect(await camera().details()).toEqual({ manufacturer: 'RTSP', model: 'H264 640x360' });
  }, 30_000);

  it('records a 3 s clip by stream copy: H.264 as sent, about 3 s, the index before the media, no .part left', async () => {
    const cam = camera();
    if (cam.recordClip === undefined) throw new Error('an RTSP camera records clips');
    const path = join(dir, 'clips', 'a.mp4');
    const progress: number[] = [];
    const clip = await cam.recordClip({ seconds: 3, path, onProgress: (f) => progress.push(f) });
    expect(clip).toMatchObject({ camera: 'gate', path });
    const file = probe(path);
    expect(file.codec).toBe('h264');
    expect(file.duration).toBeGreaterThan(2.4);
    expect(file.duration).toBeLessThan(3.6);
    expect(file.moovFirst).toBe(true);
    expect(clip.durationMs).toBeCloseTo(file.duration * 1000, -2);
    expect(clip.bytes).toBeGreaterThan(10_000);
    expect(clip.end.getTime() - clip.start.getTime()).toBe(clip.durationMs);
    expect(progress.at(-1)).toBe(1);
    expect((await readdir(join(dir, 'clips'))).filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 30_000);

  it('with a pre-event buffer, a clip starts before its trigger', async () => {
    const cam = camera({ id: 'buffered', pre_event: '3s' });
    if (cam.recordClip === undefined) throw new Error('an RTSP camera records clips');
    await cam.details(); // opens the camera: the buffer starts filling
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const triggered = Date.now();
    const clip = await cam.recordClip({ seconds: 2, preEventSeconds: 3, path: join(dir, 'clips', 'pre.mp4') });
    const file = probe(clip.path);
    expect(file.codec).toBe('h264');
    // 3 s before + 2 s after, to within a segment (1 s) either side.
    expect(file.duration).toBeGreaterThan(3.9);
    expect(file.duration).toBeLessThan(6.6);
    expect(clip.start.getTime()).toBeLessThan(triggered - 2000);
    expect(file.moovFirst).toBe(true);
  }, 40_000);

  it('gives low-resolution gray frames of the asked size', async () => {
    const cam = camera({ id: 'frames' });
    if (cam.frames === undefined) throw new Error('an RTSP camera gives frames');
    const stop = new AbortController();
    const frames: { width: number; height: number; length: number }[] = [];
    for await (const frame of cam.frames({ width: 160, height: 90, fps: 5, signal: stop.signal })) {
      frames.push({ width: frame.width, height: frame.height, length: frame.data.length });
      if (frames.length === 3) stop.abort();
    }
    expect(frames).toEqual(Array.from({ length: 3 }, () => ({ width: 160, height: 90, length: 160 * 90 })));
  }, 30_000);

  it('says what went wrong in one line naming the camera: wrong password, wrong path, nothing listening', async () => {
    const wrong = camera({ id: 'wrong-password', password: 'nope' });
    await expect(wrong.snapshot()).rejects.toThrow(AuthError);
    await expect(wrong.snapshot()).rejects.toThrow(/camera 'wrong-password' \(rtsp:\/\/127\.0\.0\.1:\d+\/cam\): snapshot: the camera refused the username or password/);
    const missing = camera({ id: 'wrong-path', url: `rtsp://127.0.0.1:${server.port}/nothing` });
    await expect(missing.snapshot()).rejects.toThrow(StreamNotFoundError);
    const dead = camera({ id: 'dead', url: 'rtsp://127.0.0.1:1/cam' });
    await expect(dead.snapshot()).rejects.toThrow(ConnectionError);
    await expect(dead.snapshot()).rejects.toThrow(/connection refused/);
    const unknownFfmpeg = camera({ id: 'no-ffmpeg', ffmpeg: '/nonexistent/ffmpeg' });
    await expect(unknownFfmpeg.snapshot()).rejects.toThrow(/ffmpeg not found/);
  }, 30_000);

  it('never shows the password, and leaves no ffmpeg running after close', async () => {
    for (const cam of cameras.splice(0)) await cam.close();
    expect(ffmpegsOfServer()).toBe(0);
    const text = logs.map((record) => `${record.message} ${JSON.stringify(record)}`).join('\n');
    expect(text).not.toContain(server.password);
    expect(existsSync(join(dir, 'clips', 'a.mp4.part'))).toBe(false);
  }, 30_000);
});
