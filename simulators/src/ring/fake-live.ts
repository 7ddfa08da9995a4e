/**
 * Ring live view on the fake cloud, as ring-client-api 14.3.0 starts it (lib/ring-camera.js
 * createStreamingConnection, lib/streaming/webrtc-connection.js):
 * - POST api/v1/clap/ticket/request/signalsocket (the app API host) -> {ticket}
 * - a WebSocket at /ws?api_version=4.0&auth_type=ring_solutions&client_id=...&token=<ticket>, where
 *   the client sends `live_view` {doorbot_id, stream_options, sdp} (its WebRTC offer), `ice`
 *   {doorbot_id, ice, mlineindex}, and with the session id `ping`, `activate_session`,
 *   `stream_options`, `close`; the camera side answers `session_created` {doorbot_id, session_id},
 *   `sdp` {doorbot_id, session_id, sdp, type: 'answer'}, its own `ice`, `notification`
 *   {text: 'camera_connected'} and `pong`.
 * The camera is a WebRTC peer made with werift (the library the client uses itself) that sends H.264
 * from ffmpeg's moving test pattern over the negotiated SRTP. Video only: the answer's audio section
 * only receives (a real camera also sends audio), which camflow does not use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters } from 'werift';
import { type WebSocket, WebSocketServer } from 'ws';

interface Message {
  method: string;
  dialog_id?: string;
  body: Record<string, unknown>;
}

/** One live view: its signalling socket, the camera's peer connection and the ffmpeg feeding it. */
interface LiveSession {
  id: string;
  deviceId: number;
  socket: WebSocket;
  pc: RTCPeerConnection;
  ffmpeg?: ChildProcess;
  rtp?: Socket;
  /** What ended it: the client's `close` message, its socket closing, the camera hanging up, or the fake stopping. */
  ended?: 'close message' | 'socket closed' | 'hung up' | 'stopped';
}

export interface FakeLiveViewRecord {
  deviceId: number;
  sessionId: string;
  /** Messages the client sent, by method, in order. */
  methods: string[];
  /** RTP packets the camera sent to the client. */
  packetsSent: number;
  ended?: LiveSession['ended'];
}

export class FakeRingLiveView {
  /** False: a live view is started but never answered (a camera that does not wake up). */
  answer = true;
  /** Every live view started, newest last. */
  readonly views: FakeLiveViewRecord[] = [];
  private readonly tickets = new Set<string>();
  private readonly sessions = new Set<LiveSession>();
  private readonly wss = new WebSocketServer({ noServer: true });

  constructor(
    private readonly hasDevice: (id: number) => boolean,
    private readonly ffmpeg = 'ffmpeg',
  ) {}

  /** Live views running now. */
  get active(): number {
    return this.sessions.size;
  }

  /** POST clap/ticket/request/signalsocket: a one-use ticket for the signalling socket. */
  issueTicket(): { ticket: string } {
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.add(ticket);
    return { ticket };
  }

  /** The HTTP server's `upgrade`: /ws with a valid ticket becomes a signalling socket; anything else is refused. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const ticket = url.searchParams.get('token') ?? '';
    if (url.pathname !== '/ws' || !this.tickets.delete(ticket) || req.headers['user-agent'] === undefined) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.signal(ws));
  }

  /** Ring ends every live view, as it does after its time limit: a `close` message, then the call ends. */
  async hangUp(): Promise<void> {
    await Promise.all(
      [...this.sessions].map(async (session) => {
        send(session.socket, { method: 'close', body: { doorbot_id: session.deviceId, session_id: session.id, reason: { code: 0, text: 'timeout' } } });
        await this.end(session, 'hung up');
        session.socket.close();
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sessions].map((s) => this.end(s, 'stopped')));
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private signal(ws: WebSocket): void {
    let session: LiveSession | undefined;
    let record: FakeLiveViewRecord | undefined;
    const pending: Message[] = [];
    ws.on('message', (data) => {
      let message: Message;
      try {
        message = JSON.parse(String(data)) as Message;
      } catch {
        ws.close(1003, 'not JSON');
        return;
      }
      record?.methods.push(message.method);
      if (message.method === 'live_view' && session === undefined) {
        void this.start(ws, message).then(
          (started) => {
            if (started === undefined) return;
            [session, record] = started;
            for (const m of pending.splice(0)) void this.handle(session, m);
          },
          () => ws.close(1011, 'live view failed'),
        );
        return;
      }
      if (session === undefined) pending.push(message);
      else void this.handle(session, message);
    });
    ws.on('close', () => {
      if (session !== undefined) void this.end(session, 'socket closed');
    });
  }

  private async start(ws: WebSocket, message: Message): Promise<[LiveSession, FakeLiveViewRecord] | undefined> {
    const deviceId = Number(message.body.doorbot_id);
    const offer = message.body.sdp;
    if (!this.hasDevice(deviceId) || typeof offer !== 'string') {
      send(ws, { method: 'close', body: { doorbot_id: deviceId, reason: { code: 5, text: 'device not found' } } });
      ws.close();
      return undefined;
    }
    if (!this.answer) return undefined;
    const id = randomUUID();
    const record: FakeLiveViewRecord = { deviceId, sessionId: id, methods: ['live_view'], packetsSent: 0 };
    this.views.push(record);
    const body = (extra: Record<string, unknown>): Record<string, unknown> => ({ doorbot_id: deviceId, session_id: id, ...extra });
    send(ws, { method: 'session_created', body: body({}) });
    const pc = new RTCPeerConnection({
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: 'video/H264',
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
            parameters: 'packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1',
          }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000, channels: 1, payloadType: 0 })],
      },
      bundlePolicy: 'disable',
    });
    // On loopback: no STUN server to wait for. (werift merges `iceServers: []` into its default list, Google's STUN.)
    pc.config.iceServers = [];
    const session: LiveSession = { id, deviceId, socket: ws, pc };
    this.sessions.add(session);
    pc.onIceCandidate.subscribe((candidate) => {
      if (candidate?.candidate !== undefined) send(ws, { method: 'ice', body: body({ ice: candidate.candidate, mlineindex: candidate.sdpMLineIndex ?? 0 }) });
    });
    const track = new MediaStreamTrack({ kind: 'video' });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.kind !== 'video') continue;
      transceiver.setDirection('sendonly');
      await transceiver.sender.replaceTrack(track);
    }
    const answer = await pc.createAnswer();
    await pc.setLocalDescription(answer);
    send(ws, { method: 'sdp', body: body({ sdp: pc.localDescription?.sdp ?? answer.sdp, type: 'answer' }) });
    pc.connectionStateChange.subscribe((state) => {
      if (state === 'connected' && session.ffmpeg === undefined && session.ended === undefined) {
        send(ws, { method: 'notification', body: body({ is_error: false, text: 'camera_connected' }) });
        this.feed(session, track, record);
      }
    });
    return [session, record];
  }

  private async handle(session: LiveSession, message: Message): Promise<void> {
    const body = { doorbot_id: session.deviceId, session_id: session.id };
    switch (message.method) {
      case 'ice':
        if (typeof message.body.ice === 'string' && message.body.ice !== '') {
          await session.pc.addIceCandidate({ candidate: message.body.ice, sdpMLineIndex: Number(message.body.mlineindex ?? 0) }).catch(() => undefined);
        }
        return;
      case 'ping':
        send(session.socket, { method: 'pong', body });
        return;
      case 'close':
        await this.end(session, 'close message');
        session.socket.close();
        return;
      default:
        // activate_session, stream_options, camera_options: accepted as Ring does, with no reply.
        return;
    }
  }

  /** ffmpeg's test pattern as H.264 RTP on a loopback port, written onto the negotiated track. */
  private feed(session: LiveSession, track: MediaStreamTrack, record: FakeLiveViewRecord): void {
    const rtp = createSocket('udp4');
    session.rtp = rtp;
    rtp.on('message', (packet) => {
      record.packetsSent++;
      track.writeRtp(packet);
    });
    rtp.bind(0, '127.0.0.1', () => {
      if (session.ended !== undefined) return;
      const args = [
        '-hide_banner', '-loglevel', 'error', '-nostdin', '-re',
        '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '15',
        // SPS and PPS in the stream at each key frame, as a camera sends them (there is no SDP to carry them).
        '-bsf:v', 'dump_extra=freq=keyframe',
        '-f', 'rtp', '-payload_type', '96', '-pkt_size', '1200', `rtp://127.0.0.1:${rtp.address().port}`,
      ];
      session.ffmpeg = spawn(this.ffmpeg, args, { stdio: ['ignore', 'ignore', 'ignore'] });
      session.ffmpeg.once('error', () => undefined);
    });
  }

  private async end(session: LiveSession, why: NonNullable<LiveSession['ended']>): Promise<void> {
    if (session.ended !== undefined) return;
    session.ended = why;
    this.sessions.delete(session);
    const record = this.views.find((v) => v.sessionId === session.id);
    if (record !== undefined) record.ended = why;
    const ffmpeg = session.ffmpeg;
    if (ffmpeg !== undefined && ffmpeg.exitCode === null && ffmpeg.signalCode === null) {
      const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
      ffmpeg.kill('SIGKILL');
      await exited;
    }
    session.rtp?.close();
    await session.pc.close().catch(() => undefined);
  }
}

function send(ws: WebSocket, message: Message): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
