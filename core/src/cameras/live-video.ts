/**
 * Live video as an ffmpeg input: what a front-end that streams (HomeKit) runs ffmpeg on, whatever the
 * camera kind. A URL kind (RTSP, Hikvision) is its URL; Ring hands over a loopback RTP stream that it
 * keeps alive until closed (see ring/live.ts); a TrailCam a loopback TCP stream (p2p/live-input.ts).
 */
import { spawn } from 'node:child_process';

export interface LiveVideo {
  /** ffmpeg input options ending with `-i <input>`. May hold credentials: never log them. */
  readonly input: string[];
  /** What to say about the source in logs (never credentials). */
  readonly description: string;
  /** The video codec as ffmpeg names it (`h264`, `hevc`), when the kind knows it without probing. */
  readonly codec?: string;
  /** Settles when the source ends on its own (Ring hung up). A URL source never does. */
  readonly ended: Promise<void>;
  /** Ends the source (Ring: hangs up). Idempotent. */
  close(): Promise<void>;
}

/**
 * A network source read as it comes (RTSP over TCP: no lost packets on a busy Wi-Fi); a file (tests,
 * a looped clip) read at its own pace, forever.
 */
export function urlInputArgs(source: string): string[] {
  if (/^rtsps?:\/\//i.test(source)) return ['-rtsp_transport', 'tcp', '-i', source];
  if (/^[a-z]+:\/\//i.test(source)) return ['-i', source];
  return ['-re', '-stream_loop', '-1', '-i', source];
}

/** A URL (or file) as live video: nothing to open or close. */
export function urlLiveVideo(source: string, input: string[] = urlInputArgs(source)): LiveVideo {
  return { input, description: redactUrl(source), ended: new Promise(() => {}), close: () => Promise.resolve() };
}

/** The URL with its password replaced, for log lines. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@\s]*):[^@/\s]*@/, '//$1:***@');
}

/**
 * The input's video codec as ffmpeg names it, read from what ffmpeg prints when it opens the input
 * (`Stream #0:0: Video: hevc (Main), ...`); undefined when it cannot tell within `timeoutMs`.
 */
export function probeVideoCodec(ffmpeg: string, input: readonly string[], timeoutMs = 10_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    // No output given: ffmpeg opens the input, prints its streams and exits (non-zero, by design).
    // The codec is known as soon as the input opens (RTSP: from its SDP): no need to analyse frames.
    const child = spawn(ffmpeg, ['-hide_banner', '-nostdin', '-analyzeduration', '0', '-probesize', '32768', ...input], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8000);
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    child.once('close', () => {
      clearTimeout(timer);
      resolve(/Stream #\d+:\d+\S*: Video: (\w+)/.exec(stderr)?.[1]);
    });
  });
}
