/**
 * Ring live view as an ffmpeg input. Ring streams only over WebRTC; ring-client-api's own connection
 * (werift) does the signalling and the SRTP. camflow forwards the decrypted H.264 RTP packets to a
 * loopback UDP port and hands ffmpeg an SDP file that describes them, so a front-end runs ffmpeg on
 * it as on any RTSP URL (HomeKit: H.264 copied to SRTP, no transcoding).
 *
 * The library's `startLiveCall` asks for the signalling ticket with its own unbounded request (it
 * retries a silent Ring forever); camflow asks for the ticket itself, bounded like every Ring call,
 * then builds the library's connection and session from it, as `startLiveCall` does.
 */
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, map, merge, take, timer } from 'rxjs';
import { StreamingSession } from 'ring-client-api/streaming/streaming-session';
import { ConnectionError, ProtocolError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { LiveVideo } from '../live-video.js';
import type { RingDevice } from './account.js';

type Connection = ConstructorParameters<typeof StreamingSession>[1];
type ConnectionClass = new (ticket: string, camera: RingDevice, options: Record<string, never>) => Connection;

/** Not in the package's exports map: loaded by file from next to the session module it belongs to. */
async function webrtcConnectionClass(): Promise<ConnectionClass> {
  const here = import.meta.resolve('ring-client-api/streaming/streaming-session');
  const module = (await import(new URL('webrtc-connection.js', here).href)) as { WebrtcConnection: ConnectionClass };
  return module.WebrtcConnection;
}

export interface RingLiveOptions {
  device: RingDevice;
  /** The signalling ticket (POST clap/ticket/request/signalsocket). */
  ticket: string;
  /** `camera <id>`, for messages. */
  what: string;
  /** How long Ring may take to answer the call. */
  timeoutMs: number;
  signal?: AbortSignal;
  logger?: Logger;
}

export async function startRingLive(o: RingLiveOptions): Promise<LiveVideo> {
  const WebrtcConnection = await webrtcConnectionClass();
  const connection = new WebrtcConnection(o.ticket, o.device, {});
  const session = new StreamingSession(o.device, connection);
  let answer: string;
  try {
    answer = await answered(session, connection, o);
  } catch (error) {
    session.stop();
    throw error;
  }
  const video = videoSection(answer, o.what);
  const port = await reserveUdpPair();
  const dir = await mkdtemp(join(tmpdir(), 'camflow-ring-live-'));
  const sdpFile = join(dir, 'live.sdp');
  await writeFile(sdpFile, sdpFor(video, port));
  const sender: Socket = createSocket('udp4');
  sender.on('error', (error) => o.logger?.debug(`live video forward: ${error.message}`));
  let packets = 0;
  const forwarding = session.onVideoRtp.subscribe((rtp) => {
    packets++;
    sender.send(rtp.serialize(), port, '127.0.0.1');
  });
  const ended = firstValueFrom(session.onCallEnded).then(() => undefined);
  let closed: Promise<void> | undefined;
  o.logger?.debug(`Ring live view answered (H.264 payload ${video.payloadType}), forwarded to 127.0.0.1:${port}`);
  return {
    input: ['-protocol_whitelist', 'file,udp,rtp', '-f', 'sdp', '-i', sdpFile],
    description: `Ring live view of ${o.device.name}`,
    codec: 'h264',
    ended,
    close() {
      closed ??= (async () => {
        forwarding.unsubscribe();
        session.stop();
        sender.close();
        await rm(dir, { recursive: true, force: true });
        o.logger?.debug(`Ring live view closed after ${packets} video packets`);
      })();
      return closed;
    },
  };
}

/** Ring's SDP answer, or a ConnectionError: Ring ended the call, failed it, or did not answer in time. */
async function answered(session: StreamingSession, connection: Connection, o: RingLiveOptions): Promise<string> {
  const outcome = merge(
    connection.onCallAnswered.pipe(map((sdp) => ({ sdp }))),
    connection.onError.pipe(map((error: unknown) => ({ error: `Ring failed the live view: ${error instanceof Error ? error.message : String(error)}` }))),
    session.onCallEnded.pipe(map(() => ({ error: 'Ring ended the live view before answering' }))),
    timer(o.timeoutMs).pipe(map(() => ({ error: `Ring did not answer the live view in ${Math.round(o.timeoutMs / 1000)} s` }))),
  ).pipe(take(1));
  let abort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (o.signal === undefined) return;
    abort = (): void => reject(o.signal?.reason ?? new Error('aborted'));
    if (o.signal.aborted) abort();
    else o.signal.addEventListener('abort', abort, { once: true });
  });
  try {
    const result = await Promise.race([firstValueFrom(outcome), aborted]);
    if ('error' in result) throw new ConnectionError(`${o.what}: ${result.error}`);
    return result.sdp;
  } finally {
    // The caller's signal lives longer than one call (a HomeKit accessory's): leave no listener on it.
    if (abort !== undefined) o.signal?.removeEventListener('abort', abort);
  }
}

interface VideoSection {
  payloadType: number;
  fmtp: string | undefined;
}

/** The H.264 payload type Ring chose, and its format parameters, from the answer's video section. */
export function videoSection(sdp: string, what = 'Ring'): VideoSection {
  const section = sdp.split(/\r?\nm=/).find((s) => s.startsWith('video '));
  const payloadType = section === undefined ? undefined : /a=rtpmap:(\d+) H264\/90000/i.exec(section)?.[1];
  if (section === undefined || payloadType === undefined) throw new ProtocolError(`${what}: Ring's live view answer has no H.264 video`);
  const fmtp = new RegExp(`a=fmtp:${payloadType} ([^\\r\\n]+)`).exec(section)?.[1];
  return { payloadType: Number(payloadType), fmtp };
}

/** An SDP that tells ffmpeg where the forwarded RTP arrives and what it carries. */
export function sdpFor(video: VideoSection, port: number): string {
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=Ring live view',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=video ${port} RTP/AVP ${video.payloadType}`,
    `a=rtpmap:${video.payloadType} H264/90000`,
    ...(video.fmtp === undefined ? [] : [`a=fmtp:${video.payloadType} ${video.fmtp}`]),
    'a=recvonly',
    '',
  ].join('\n');
}

/** An even UDP port whose neighbour (RTCP) is free too, for ffmpeg to bind. */
async function reserveUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const rtp = await bind(0);
    const port = rtp.address().port;
    const rtcp = port % 2 === 0 ? await bind(port + 1).catch(() => undefined) : undefined;
    await Promise.all([close(rtp), rtcp === undefined ? undefined : close(rtcp)]);
    if (rtcp !== undefined) return port;
  }
  throw new ConnectionError('no free UDP port pair on 127.0.0.1 for the live view');
}

function bind(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

function close(socket: Socket): Promise<void> {
  return new Promise((resolve) => socket.close(() => resolve()));
}
