/**
 * Live video as a HomeKit controller asks for it: SetupEndpoints, then SelectedRTPStreamConfiguration
 * START; SRTP packets must arrive on our port; END must leave no ffmpeg behind. The source is a real
 * RTSP camera (gst-rtsp-server, H.264, digest auth) whose H.264 is copied: once through a `streams`
 * URL in the plugin config, once as a `type: rtsp` camera's own live video. Its password must not
 * reach the log. A TrailCam's live video comes over P2P (real H.264 in the simulator's live records)
 * and the camera is told to stop (259) when the stream ends. Without a `video` mode the source's codec
 * decides: H.264 is copied, an MPEG-4 Part 2 source (a clip ffmpeg makes here, looped) is transcoded.
 * Where the size is known, what HomeKit gets is decrypted and decoded as the Home app would.
 */
import { HikvisionSimulator, TrailCamSimulator } from '@camflow/simulators';
import hapController from 'hap-controller';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.js';
import { ffmpegChildren, startControllerStream } from './hap-stream.js';
import { type HapAccessory, PIN, type RunningHomebridge, shortType, startHomebridge } from './harness.js';

const RTSP_USER = 'viewer';
const RTSP_PASSWORD = 'Rtsp-s3cret-pw';
const { HttpClient } = hapController;
const clipDir = mkdtempSync(join(tmpdir(), 'camflow-hb-clip-'));
const MPEG4_CLIP = join(clipDir, 'clip.mp4');

describe('live video through the camera controller', () => {
  let rtsp: RtspServer;
  let sim: HikvisionSimulator;
  let trailSim: TrailCamSimulator;
  let hb: RunningHomebridge;
  let client: InstanceType<typeof HttpClient>;
  let accessories: HapAccessory[];

  beforeAll(async () => {
    // A camera that does not send H.264: 2 s of MPEG-4 Part 2, looped by the stream's ffmpeg.
    execFileSync('ffmpeg', ['-y', '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15', '-t', '2', '-c:v', 'mpeg4', '-q:v', '5', MPEG4_CLIP]);
    rtsp = await startRtspServer({ username: RTSP_USER, password: RTSP_PASSWORD });
    const source = `rtsp://${RTSP_USER}:${RTSP_PASSWORD}@127.0.0.1:${rtsp.port}/cam`;
    sim = new HikvisionSimulator();
    await sim.start();
    trailSim = new TrailCamSimulator({ photos: 1 });
    await trailSim.start();
    hb = await startHomebridge({
      cameras: [
        { id: 'gate', name: 'Gate', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' },
        { id: 'yard', name: 'Yard', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' },
        { id: 'porch', name: 'Porch', type: 'rtsp', url: `rtsp://127.0.0.1:${rtsp.port}/cam`, username: RTSP_USER, password: RTSP_PASSWORD },
        { id: 'trail', name: 'Trail', type: 'p2p', did: 'LBCS-000000-CCCJJ', host: '127.0.0.1', lan_port: trailSim.lanPort, ports: [trailSim.sessionPort], relay: false, username: 'admin', password: 'admin', timeout: '3s' },
      ],
      // porch: a video mode without a URL keeps the camera's own stream (and skips the codec probe).
      streams: { yard: { url: source, video: 'copy' }, gate: { url: MPEG4_CLIP }, porch: { video: 'copy' } },
      // One snapshot at start, none during the test: the only ffmpeg then is the stream's.
      snapshot_interval: 3600,
    });
    // HAP ties a stream session to the connection that set it up: keep one connection.
    client = new HttpClient('0E:11:22:33:44:55', '127.0.0.1', hb.port, undefined, { usePersistentConnections: true });
    await client.pairSetup(PIN);
    ({ accessories } = (await client.getAccessories()) as unknown as { accessories: HapAccessory[] });
  });

  /** The camera accessory (a CameraRTPStreamManagement service, 110) whose name is `id`. */
  function camera(id: string): HapAccessory {
    const found = accessories.find((a) => a.services.some((s) => shortType(s.type) === '110') && a.services.some((s) => s.characteristics.some((c) => c.value === id)));
    if (found === undefined) throw new Error(`no camera accessory ${id}`);
    return found;
  }

  afterAll(async () => {
    await client?.close();
    await hb?.stop();
    await sim?.stop();
    await trailSim?.stop();
    await rtsp?.stop();
    rmSync(clipDir, { recursive: true, force: true });
  });

  it.each([
    ['yard', 'a streams URL, copied as configured', 'H.264 copied', undefined],
    ['porch', "an RTSP camera's own stream, copied as configured", 'H.264 copied', undefined],
    ['trail', "a TrailCam's live video over P2P, copied", 'H.264 copied', [320, 180]],
    ['gate', 'an MPEG-4 Part 2 streams URL, so transcoded', 'transcoded', [640, 360]],
  ])('%s (%s): sends SRTP to the port given in SetupEndpoints and stops ffmpeg on END', async (id, _what, how, size) => {
    const stream = await startControllerStream(client, camera(id));
    try {
      const rtp = await stream.firstPacket;
      expect(rtp[0]! >> 6).toBe(2); // RTP version 2
      expect(rtp[1]! & 0x7f).toBe(99); // the payload type HomeKit selected
      expect(ffmpegChildren(hb.pid).length).toBe(1);
      expect(hb.output()).toContain(`[${id}:stream] live video started (640x360@15, ${how})`);
      // Decodable as the Home app gets it: a copied TrailCam stream at the camera's size, a transcoded one at the size HomeKit asked for.
      if (size !== undefined) expect(await stream.decode(5)).toEqual({ codec: 'h264', width: size[0], height: size[1], frames: 5 });

      await stream.end();
      await hb.waitFor(new RegExp(`\\[${id}:stream\\] live video stopped`));
      // The process table is the only place an exit shows from outside Homebridge.
      await vi.waitFor(() => expect(ffmpegChildren(hb.pid)).toEqual([]), { timeout: 5000, interval: 100 });
      expect(hb.output()).not.toContain(RTSP_PASSWORD);
    } finally {
      stream.close();
    }
  });

  it('tells the TrailCam to stop streaming once HomeKit has stopped watching', async () => {
    // The 'trail' case above ran a stream: one start (258), then the stop (259) after END.
    expect(trailSim.commands.filter((c) => c === 258)).toHaveLength(1);
    await expect.poll(() => trailSim.commands, { timeout: 10_000 }).toContain(259);
  });
});
