/**
 * Live video: HomeKit asks for endpoints (prepareStream), then starts, reconfigures and stops a
 * session (handleStreamRequest). Each session opens the camera's live video (core's LiveVideo: a URL,
 * or Ring's WebRTC call) and runs one ffmpeg process on it, sending SRTP to the controller. A stop,
 * an ffmpeg exit or the source hanging up ends both; stop() ends them all, so nothing outlives the
 * plugin.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type {
  CameraController,
  CameraStreamingDelegate,
  HAP,
  PrepareStreamCallback,
  PrepareStreamRequest,
  SnapshotRequest,
  SnapshotRequestCallback,
  StartStreamRequest,
  StreamingRequest,
  StreamRequestCallback,
} from 'homebridge';
import { type LiveVideo, type Logger, probeVideoCodec, redactUrl } from '@camflow/core';
import { ffmpegStreamArgs } from './ffmpeg-args.js';

interface Session {
  address: string;
  videoPort: number;
  ssrc: number;
  key: Buffer;
  salt: Buffer;
  process?: ChildProcess | undefined;
  live?: LiveVideo | undefined;
}

export interface StreamingOptions {
  hap: HAP;
  logger: Logger;
  ffmpeg: string;
  /** Opens the camera's live video (its input may hold credentials: never logged). Undefined: the camera has no stream. */
  source: (() => Promise<LiveVideo>) | undefined;
  /** `copy` H.264 through, `transcode` with libx264, or `auto`: copy when the source is H.264 (probed once when the kind does not say). */
  video: 'copy' | 'transcode' | 'auto';
  /** Answers from the snapshot cache. */
  snapshot: (request: SnapshotRequest) => Promise<Buffer>;
}

export class StreamingDelegate implements CameraStreamingDelegate {
  controller: CameraController | undefined;
  readonly #o: StreamingOptions;
  readonly #sessions = new Map<string, Session>();
  /** The source's codec, once probed (a camera's stream keeps its codec). */
  #probed: Promise<string | undefined> | undefined;

  constructor(options: StreamingOptions) {
    this.#o = options;
  }

  handleSnapshotRequest(request: SnapshotRequest, callback: SnapshotRequestCallback): void {
    this.#o.snapshot(request).then(
      (jpeg) => callback(undefined, jpeg),
      (error: unknown) => {
        this.#o.logger.debug(`snapshot unavailable: ${(error as Error).message}`);
        callback(new Error('snapshot unavailable'));
      },
    );
  }

  prepareStream(request: PrepareStreamRequest, callback: PrepareStreamCallback): void {
    const ssrc = this.#o.hap.CameraController.generateSynchronisationSource();
    this.#sessions.set(request.sessionID, {
      address: request.targetAddress,
      videoPort: request.video.port,
      ssrc,
      key: request.video.srtp_key,
      salt: request.video.srtp_salt,
    });
    // Echo HomeKit's key and salt: ffmpeg encrypts with them; nothing comes back on our side.
    callback(undefined, { video: { port: request.video.port, ssrc, srtp_key: request.video.srtp_key, srtp_salt: request.video.srtp_salt } });
  }

  handleStreamRequest(request: StreamingRequest, callback: StreamRequestCallback): void {
    const session = this.#sessions.get(request.sessionID);
    if (request.type === 'stop') {
      void this.#end(request.sessionID);
      callback();
      return;
    }
    if (session === undefined) {
      callback(new Error('unknown stream session'));
      return;
    }
    if (request.type === 'reconfigure') {
      // ffmpeg cannot change resolution mid-run; HomeKit copes with the running one.
      callback();
      return;
    }
    if (this.#o.source === undefined) {
      this.#o.logger.warn('live video requested but no stream source is configured for this camera');
      callback(new Error('no stream source'));
      return;
    }
    this.#o.source().then(
      (live) => {
        if (this.#sessions.get(request.sessionID) !== session) {
          // HomeKit stopped the session while the source was opening.
          void live.close();
          callback(new Error('stream stopped'));
          return;
        }
        session.live = live;
        void this.#copies(live).then((copy) => {
          // Stopped while probing: #end closed the source.
          if (this.#sessions.get(request.sessionID) !== session) return callback(new Error('stream stopped'));
          this.#spawn(request, session, live, copy, callback);
        });
      },
      (error: unknown) => {
        this.#o.logger.error(`live video unavailable: ${(error as Error).message}`);
        this.#sessions.delete(request.sessionID);
        callback(error as Error);
      },
    );
  }

  /** Whether to copy the source's video: H.264 can go to HomeKit as it is; anything else (H.265, MJPEG) is transcoded. */
  async #copies(live: LiveVideo): Promise<boolean> {
    if (this.#o.video !== 'auto') return this.#o.video === 'copy';
    const codec = live.codec ?? (await (this.#probed ??= probeVideoCodec(this.#o.ffmpeg, live.input)));
    if (codec === undefined) {
      this.#probed = undefined; // try again next time
      this.#o.logger.debug('could not tell the stream codec; copying it');
      return true;
    }
    if (codec !== 'h264') this.#o.logger.info(`the stream is ${codec}, not H.264: transcoding it for HomeKit`);
    return codec === 'h264';
  }

  #spawn(request: StartStreamRequest, session: Session, live: LiveVideo, copy: boolean, callback: StreamRequestCallback): void {
    const args = ffmpegStreamArgs({
      input: live.input,
      copy,
      width: request.video.width,
      height: request.video.height,
      fps: request.video.fps,
      bitrate: request.video.max_bit_rate,
      payloadType: request.video.pt,
      ssrc: session.ssrc,
      mtu: request.video.mtu,
      targetAddress: session.address,
      targetPort: session.videoPort,
      srtpKey: session.key,
      srtpSalt: session.salt,
    });
    const child = spawn(this.#o.ffmpeg, args, { stdio: ['pipe', 'ignore', 'pipe'] });
    session.process = child;
    let answered = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('spawn', () => {
      answered = true;
      this.#o.logger.info(`live video started (${request.video.width}x${request.video.height}@${request.video.fps}, ${copy ? 'H.264 copied' : 'transcoded'}) from ${live.description}`);
      callback();
    });
    child.once('error', (error) => {
      this.#o.logger.error(`ffmpeg could not start: ${error.message}`);
      if (!answered) callback(error);
      answered = true;
    });
    child.once('exit', (code, signal) => {
      if (session.process !== child) return;
      session.process = undefined;
      // An exit nobody asked for: tell HomeKit so the Home app does not wait on a dead stream.
      if (this.#sessions.get(request.sessionID) === session) {
        this.#o.logger.warn(`ffmpeg ended (${signal ?? code}): ${redactUrl(lastLine(stderr))}`);
        this.#forceStop(request.sessionID);
      }
    });
    // The source hung up (Ring ends a call after a while): end the session as if ffmpeg had.
    void live.ended.then(() => {
      if (this.#sessions.get(request.sessionID) !== session || session.live !== live) return;
      this.#o.logger.info(`live video source ended (${live.description})`);
      this.#forceStop(request.sessionID);
    });
  }

  #forceStop(sessionID: string): void {
    this.controller?.forceStopStreamingSession(sessionID);
    void this.#end(sessionID);
  }

  /** Ends every session's ffmpeg; resolves when they have exited. */
  async stop(): Promise<void> {
    await Promise.all([...this.#sessions.keys()].map((id) => this.#end(id)));
  }

  async #end(sessionID: string): Promise<void> {
    const session = this.#sessions.get(sessionID);
    this.#sessions.delete(sessionID);
    if (session === undefined) return;
    const child = session.process;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        // `q` lets ffmpeg close its output cleanly; SIGKILL if it does not within 2 s.
        child.stdin?.end('q');
        child.kill('SIGTERM');
        this.#o.logger.info('live video stopped');
      });
    }
    await session.live?.close();
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
