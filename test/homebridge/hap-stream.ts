/**
 * Live video as a HomeKit controller asks for it, for the stream tests: SetupEndpoints (our UDP port,
 * SRTP key and salt), SelectedRTPStreamConfiguration START and END, the first media packet on our
 * port, and the ffmpeg children of a process.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** The live video ffmpeg processes (those sending SRTP) among a process's children. */
export function ffmpegChildren(pid: number): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, ppid, command, ...args]) => Number(ppid) === pid && /(^|\/)ffmpeg$/.test(command ?? '') && args.some((a) => a.startsWith('srtp://')))
    .map(([p]) => p ?? '');
}

export interface ControllerStream {
  /** The first RTP media packet (RTCP sender reports, types 200-204, share the port and are skipped). */
  firstPacket: Promise<Buffer>;
  /**
   * Decrypts and decodes what HomeKit would play: ffmpeg reads the SRTP (with the key and salt we
   * gave in SetupEndpoints) until it has decoded `frames` frames; resolves with what it saw.
   */
  decode(frames: number): Promise<{ codec: string; width: number; height: number; frames: number }>;
  /** SelectedRTPStreamConfiguration END. */
  end(): Promise<void>;
  close(): void;
}

/** Sets up endpoints on a fresh loopback UDP port and starts a 640x360@15 H.264 stream with payload type 99. */
export async function startControllerStream(client: Client, camera: HapAccessory): Promise<ControllerStream> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((ok) => socket.bind(0, '127.0.0.1', ok));
  const port = socket.address().port;
  const media: Buffer[] = [];
  let relay: ((packet: Buffer) => void) | undefined;
  const firstPacket = new Promise<Buffer>((ok) =>
    socket.on('message', (msg) => {
      if (msg.length < 12 || (msg[1]! >= 200 && msg[1]! <= 204)) return;
      media.push(msg);
      relay?.(msg);
      ok(msg);
    }),
  );
  const setup = findCharacteristic(camera, '110', '118');
  const select = findCharacteristic(camera, '110', '117');
  const sessionId = randomBytes(16);
  const key = randomBytes(16);
  const salt = randomBytes(14);
  const srtp = tlv([[1, u8(0)], [2, key], [3, salt]]);
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
    decode: (frames) =>
      decodeSrtp(Buffer.concat([key, salt]), frames, media, (forward) => {
        relay = forward;
      }),
    end: async () => {
      await client.setCharacteristics({ [select]: tlv([[1, tlv([[1, sessionId], [2, u8(0)]])]]).toString('base64') });
    },
    close: () => socket.close(),
  };
}

/**
 * ffmpeg as the Home app's decoder: an SDP with the SRTP key, the packets received so far replayed to
 * it, later ones forwarded as they come.
 */
async function decodeSrtp(
  keyAndSalt: Buffer,
  frames: number,
  sofar: readonly Buffer[],
  onPacket: (forward: (packet: Buffer) => void) => void,
): Promise<{ codec: string; width: number; height: number; frames: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-srtp-'));
  const probe = createSocket('udp4');
  await new Promise<void>((ok) => probe.bind(0, '127.0.0.1', ok));
  const port = probe.address().port;
  probe.close();
  const sdp = join(dir, 'homekit.sdp');
  await writeFile(
    sdp,
    ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=HomeKit', 'c=IN IP4 127.0.0.1', 't=0 0', `m=video ${port} RTP/SAVP 99`, 'a=rtpmap:99 H264/90000', `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${keyAndSalt.toString('base64')}`, ''].join('\n'),
  );
  const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-protocol_whitelist', 'file,udp,rtp,crypto', '-i', sdp, '-frames:v', String(frames), '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const sender = createSocket('udp4');
  const send = (packet: Buffer): void => sender.send(packet, port, '127.0.0.1');
  // ffmpeg binds its port once it has read the SDP.
  await new Promise((ok) => setTimeout(ok, 500));
  for (const packet of sofar) send(packet);
  onPacket(send);
  const timer = setTimeout(() => ffmpeg.kill('SIGKILL'), 30_000);
  await new Promise((ok) => ffmpeg.once('close', ok));
  clearTimeout(timer);
  onPacket(() => {});
  sender.close();
  await rm(dir, { recursive: true, force: true });
  const stream = /Stream #\d+:\d+: Video: (\w+)[^\n]*?, (\d+)x(\d+)/.exec(stderr);
  const done = [...stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1];
  if (stream === null) throw new Error(`ffmpeg decoded nothing: ${stderr.slice(-500)}`);
  return { codec: stream[1]!, width: Number(stream[2]), height: Number(stream[3]), frames: Number(done ?? 0) };
}
