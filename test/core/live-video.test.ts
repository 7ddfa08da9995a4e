/**
 * Live video sources as ffmpeg inputs: how a URL or a file is read, the password kept out of what is
 * logged, and the codec read from what ffmpeg prints on opening the input (real ffmpeg, real files).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { probeVideoCodec, urlInputArgs, urlLiveVideo } from '@camflow/core';

const asset = (name: string): string => fileURLToPath(new URL(`../../simulators/assets/${name}`, import.meta.url));

describe('live video from a URL', () => {
  it('reads RTSP over TCP, other URLs as they are, files looped at their own pace', () => {
    expect(urlInputArgs('rtsp://cam/Streaming/Channels/101')).toEqual(['-rtsp_transport', 'tcp', '-i', 'rtsp://cam/Streaming/Channels/101']);
    expect(urlInputArgs('http://cam/video.mjpg')).toEqual(['-i', 'http://cam/video.mjpg']);
    expect(urlInputArgs('/clips/loop.mp4')).toEqual(['-re', '-stream_loop', '-1', '-i', '/clips/loop.mp4']);
  });

  it('describes itself without the password', () => {
    const live = urlLiveVideo('rtsp://admin:s3cret@192.0.2.10:554/Streaming/Channels/101');
    expect(live.description).toBe('rtsp://admin:***@192.0.2.10:554/Streaming/Channels/101');
    expect(live.input).toContain('rtsp://admin:s3cret@192.0.2.10:554/Streaming/Channels/101');
  });

  it('tells the codec from what ffmpeg prints, and says nothing when it cannot open the input', async () => {
    expect(await probeVideoCodec('ffmpeg', ['-f', 'h264', '-i', asset('live.h264')])).toBe('h264');
    expect(await probeVideoCodec('ffmpeg', ['-i', asset('clip.mpg')])).toBe('mpeg2video');
    expect(await probeVideoCodec('ffmpeg', ['-i', asset('no-such-file.mp4')])).toBeUndefined();
    expect(await probeVideoCodec('/no/such/ffmpeg', ['-i', asset('clip.mpg')])).toBeUndefined();
  });
});
