/**
 * Whole photos and videos from a TrailCam (cmdId 1285, chunks on channel 3) against the simulator:
 * byte-exact, `.part` then rename, nothing left after a refusal, a cancel or a dropped session. The
 * codec's layout is camflow's documented assumption (core/src/cameras/p2p/file-codec.ts).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, decodeFileChunk, encodeFileChunk, FileAssembly, ProtocolError, TrailCamClient } from '@camflow/core';
import { mediaFileBytes, TrailCamSimulator } from '@camflow/simulators';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function connected(fileChunkIntervalMs = 0): Promise<{ camera: TrailCamSimulator; client: TrailCamClient; dir: string }> {
  const camera = new TrailCamSimulator({ photos: 3, videos: 2, fileChunkIntervalMs });
  await camera.start();
  cleanups.push(() => camera.stop());
  const dir = await mkdtemp(join(tmpdir(), 'camflow-trail-dl-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const client = new TrailCamClient({
    did: 'LBCS-000000-CCCJJ',
    host: '127.0.0.1',
    lanPort: camera.lanPort,
    ports: [camera.sessionPort],
    username: 'admin',
    password: 'admin',
    localAddress: '127.0.0.1',
    broadcastAddress: '127.0.0.1',
    timeoutMs: 3000,
  });
  cleanups.push(() => client.close());
  await client.connect({ modes: ['lan', 'direct'] });
  return { camera, client, dir };
}

describe('file download codec (cmdId 1285)', () => {
  it('round-trips a chunk and checks the order of a file\'s chunks', () => {
    const data = Buffer.from('0123456789');
    const chunk = { fileType: 1, dirNum: 101, mediaNum: 20, fileSize: 15, offset: 0, data };
    const encoded = encodeFileChunk(chunk);
    expect(encoded.length).toBe(72 + 10);
    expect(decodeFileChunk(encoded)).toEqual(chunk);
    expect(() => decodeFileChunk(encoded.subarray(0, 75))).toThrow(ProtocolError);
    const file = new FileAssembly({ fileType: 1, dirNum: 101, mediaNum: 20 });
    expect(file.accept(chunk)).toBe(false);
    expect(() => file.accept({ ...chunk, offset: 12, data: Buffer.from('abc') })).toThrow(/expected 10/);
    expect(file.accept({ ...chunk, offset: 10, data: Buffer.from('abcde') })).toBe(true);
  });
});

describe('TrailCamClient.downloadMedia', () => {
  it('downloads a photo and a video byte-exact, with progress, under their names only when whole', async () => {
    const { client, dir } = await connected();
    const items = await client.mediaList();
    const video = items.find((i) => i.fileType === 1)!;
    const photo = items.find((i) => i.fileType === 0)!;
    const progress: number[] = [];
    const got = await client.downloadMedia(photo, join(dir, 'photo.jpg'), { onProgress: (bytes) => progress.push(bytes) });
    const expected = mediaFileBytes(0, photo.mediaDirNum, photo.mediaNum);
    expect(got.bytes).toBe(expected.length);
    expect(sha(await readFile(join(dir, 'photo.jpg')))).toBe(sha(expected));
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.at(-1)).toBe(expected.length);
    await client.downloadMedia(video, join(dir, 'video.mp4'));
    const mp4 = await readFile(join(dir, 'video.mp4'));
    expect(sha(mp4)).toBe(sha(mediaFileBytes(1, video.mediaDirNum, video.mediaNum)));
    expect(mp4.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect((await readdir(dir)).sort()).toEqual(['photo.jpg', 'video.mp4']);
  });

  it('a file the camera does not have is refused in one line, and leaves nothing', async () => {
    const { client, dir } = await connected();
    const error = await client.downloadMedia({ fileType: 0, dirNum: 100, mediaNum: 999 }, join(dir, 'x.jpg')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as Error).message).toMatch(/1285.*No such file/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('a cancel or a dropped session mid-file leaves no .part behind', async () => {
    // Chunks 30 ms apart, as from a camera's SD card over Wi-Fi: there is a "mid-file".
    const { camera, client, dir } = await connected(30);
    const [newest] = await client.mediaList();
    const controller = new AbortController();
    const cancelled = client.downloadMedia(newest!, join(dir, 'a.bin'), { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(cancelled).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);

    const dropped = client.downloadMedia(newest!, join(dir, 'b.bin'), { onProgress: () => camera.closeAllSessions() });
    const error = await dropped.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(await readdir(dir)).toEqual([]);
  });
});
