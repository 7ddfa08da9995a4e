/**
 * Live video as a HomeKit controller asks for it: SetupEndpoints (our UDP port, SRTP key and salt),
 * then SelectedRTPStreamConfiguration START; SRTP packets must arrive on our port; END must leave
 * no ffmpeg behind. The source is a real RTSP camera (gst-rtsp-server, H.264, digest auth) whose
 * H.264 is copied; its password must not reach the log.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { HikvisionSimulator } from '@camflow/simulators';
import hapController from 'hap-controller';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RtspServer, startRtspServer } from '../helpers/rtsp-server.js';

const RTSP_USER = 'viewer';
const RTSP_PASSWORD = 'Rtsp-s3cret-pw';
import { type HapAccessory, PIN, type RunningHomebridge, findCharacteristic, shortType, startHomebridge } from './harness.js';

const { HttpClient, TLV } = hapController;
const tlv = (entries: [number, Buffer][]): Buffer => TLV.encodeObject(new Map(entries));
const u8 = (n: number): Buffer => Buffer.from([n]);
const u16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
};
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const f32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(n);
  return b;
};

function ffmpegChildren(pid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter(([, ppid, comm]) => Number(ppid) === pid && comm === 'ffmpeg').map(([p]) => p ?? '');
}

describe('live video through the camera controller', () => {
  let rtsp: RtspServer;
  let sim: HikvisionSimulator;
  let hb: RunningHomebridge;
  let client: InstanceType<typeof HttpClient>;
  let camera: HapAccessory;

  beforeAll(async () => {
    rtsp = await startRtspServer({ username: RTSP_USER, password: RTSP_PASSWORD });
    const source = `rtsp://${RTSP_USER}:${RTSP_PASSWORD}@127.0.0.1:${rtsp.port}/cam`;
    sim = new HikvisionSimulator();
    await sim.start();
    hb = await startHomebridge({
      cameras: [{ id: 'yard', name: 'Yard', type: 'hikvision', host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' }],
      streams: { yard: { url: source, video: 'copy' } },
    });
    // HAP ties a stream session to the connection that set it up: keep one connection.
    client = new HttpClient('0E:11:22:33:44:55', '127.0.0.1', hb.port, undefined, { usePersistentConnections: true });
    await client.pairSetup(PIN);
    const { accessories } = (await client.getAccessories()) as unknown as { accessories: HapAccessory[] };
    const found = accessories.find((a) => a.services.some((s) => shortType(s.type) === '110'));
    if (found === undefined) throw new Error('no camera accessory');
    camera = found;
  });

  afterAll(async () => {
    await client?.close();
    await hb?.stop();
    await sim?.stop();
    await rtsp?.stop();
  });

  it('sends SRTP to the port given in SetupEndpoints and stops ffmpeg on END', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
    const port = socket.address().port;
    const packets: Buffer[] = [];
    // RTCP sender reports (packet types 200-204) share the port; wait for media.
    const firstPacket = new Promise<void>((ok) =>
      socket.on('message', (msg) => {
        if (msg.length < 12 || (msg[1]! >= 200 && msg[1]! <= 204)) return;
        packets.push(msg);
        ok();
      }),
    );
    try {
      const setup = findCharacteristic(camera, '110', '118');
      const select = findCharacteristic(camera, '110', '117');
      const sessionId = randomBytes(16);
      const srtp = tlv([[1, u8(0)], [2, randomBytes(16)], [3, randomBytes(14)]]);
      await client.setCharacteristics({
        [setup]: tlv([
          [1, sessionId],
          [3, tlv([[1, u8(0)], [2, Buffer.from('127.0.0.1')], [3, u16(port)], [4, u16(port + 1)]])],
          [4, srtp],
          [5, srtp],
        ]).toString('base64'),
      });
      const video = tlv([
        [1, u8(0)],
        [2, tlv([[1, u8(1)], [2, u8(2)], [3, u8(0)]])],
        [3, tlv([[1, u16(640)], [2, u16(360)], [3, u8(15)]])],
        [4, tlv([[1, u8(99)], [2, u32(1234)], [3, u16(300)], [4, f32(0.5)], [5, u16(1378)]])],
      ]);
      const audio = tlv([
        [1, u8(3)], // Opus
        [2, tlv([[1, u8(1)], [2, u8(0)], [3, u8(1)], [4, u8(20)]])],
        [3, tlv([[1, u8(110)], [2, u32(5678)], [3, u16(24)], [4, f32(5)], [6, u8(13)]])],
        [4, u8(0)],
      ]);
      await client.setCharacteristics({
        [select]: tlv([[1, tlv([[1, sessionId], [2, u8(1)]])], [2, video], [3, audio]]).toString('base64'),
      });
      await firstPacket;
      const rtp = packets[0]!;
      expect(rtp[0]! >> 6).toBe(2); // RTP version 2
      expect(rtp[1]! & 0x7f).toBe(99); // the payload type HomeKit selected
      expect(ffmpegChildren(hb.pid).length).toBe(1);

      await client.setCharacteristics({ [select]: tlv([[1, tlv([[1, sessionId], [2, u8(0)]])]]).toString('base64') });
      await hb.waitFor(/\[yard:stream\] live video stopped/);
      // The process table is the only place an exit shows from outside Homebridge.
      await vi.waitFor(() => expect(ffmpegChildren(hb.pid)).toEqual([]), { timeout: 5000, interval: 100 });
      expect(hb.output()).not.toContain(RTSP_PASSWORD);
    } finally {
      socket.close();
    }
  });
});
