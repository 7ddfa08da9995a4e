/**
 * Live video as a HomeKit controller asks for it, for the stream tests: SetupEndpoints (our UDP port,
 * SRTP key and salt), SelectedRTPStreamConfiguration START and END, the first media packet on our
 * port, and the ffmpeg children of a process.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import hapController from 'hap-controller';
import { findCharacteristic, type HapAccessory } from './harness.js';

const { TLV } = hapController;
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

type Client = InstanceType<typeof hapController.HttpClient>;

export function ffmpegChildren(pid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='], { encoding: 'utf8' });
  return out.split('\n').map((l) => l.trim().split(/\s+/)).filter(([, ppid, comm]) => Number(ppid) === pid && comm === 'ffmpeg').map(([p]) => p ?? '');
}

export interface ControllerStream {
  /** The first RTP media packet (RTCP sender reports, types 200-204, share the port and are skipped). */
  firstPacket: Promise<Buffer>;
  /** SelectedRTPStreamConfiguration END. */
  end(): Promise<void>;
  close(): void;
}

/** Sets up endpoints on a fresh loopback UDP port and starts a 640x360@15 H.264 stream with payload type 99. */
export async function startControllerStream(client: Client, camera: HapAccessory): Promise<ControllerStream> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
  const port = socket.address().port;
  const firstPacket = new Promise<Buffer>((ok) =>
    socket.on('message', (msg) => {
      if (msg.length < 12 || (msg[1]! >= 200 && msg[1]! <= 204)) return;
      ok(msg);
    }),
  );
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
  return {
    firstPacket,
    end: async () => {
      await client.setCharacteristics({ [select]: tlv([[1, tlv([[1, sessionId], [2, u8(0)]])]]).toString('base64') });
    },
    close: () => socket.close(),
  };
}
