/**
 * ffmpeg as a child process for an RTSP camera: argument lists from pure builders, stderr turned into
 * camflow's errors (401 -> AuthError, 404 -> StreamNotFoundError, refused -> ConnectionError, ...),
 * and stopping that always ends the process: `q` on stdin (ffmpeg finishes the file, writes the MP4
 * index), then SIGKILL after a grace period. The URL with credentials is only ever in ffmpeg's
 * arguments; every message is built from the URL without them.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { AuthError, CamflowError, ConnectionError, ProtocolError, TimeoutError } from '../../errors.js';

export class StreamNotFoundError extends CamflowError {
  override readonly code: string = 'STREAM_NOT_FOUND';
}

export class UnsupportedCodecError extends CamflowError {
  override readonly code: string = 'UNSUPPORTED_CODEC';
}

export interface StreamSource {
  /** rtsp://host:port/path, no credentials. */
  url: string;
  username?: string;
  password?: string;
  transport: 'tcp' | 'udp';
  /** Socket timeout for opening and reading, ms. */
  timeoutMs: number;
}

/** The URL ffmpeg opens: credentials percent-encoded into it (ffmpeg reads digest or basic from there). */
export function sourceUrl(source: StreamSource): string {
  if (source.username === undefined || source.username === '') return source.url;
  const userinfo = `${encodeURIComponent(source.username)}${source.password === undefined ? '' : `:${encodeURIComponent(source.password)}`}@`;
  return source.url.replace(/^(rtsps?:\/\/)/, `$1${userinfo}`);
}

/** Input options every command shares: transport, socket timeout (µs), and the source. */
export function inputArgs(source: StreamSource): string[] {
  return ['-hide_banner', '-nostats', '-loglevel', 'error', ...streamInputArgs(source)];
}

/** The source alone as ffmpeg input options (for a front-end's own ffmpeg: live video). */
export function streamInputArgs(source: StreamSource): string[] {
  return ['-rtsp_transport', source.transport, '-timeout', String(source.timeoutMs * 1000), '-i', sourceUrl(source)];
}

/** One JPEG frame on stdout. */
export function snapshotArgs(source: StreamSource): string[] {
  return [...inputArgs(source), '-an', '-frames:v', '1', '-q:v', '3', '-f', 'image2', '-c:v', 'mjpeg', 'pipe:1'];
}

/** A clip of `seconds` by stream copy, MP4 with its index first, to `file` (any name: the format is given). */
export function clipArgs(source: StreamSource, seconds: number, file: string): string[] {
  return [...inputArgs(source), '-t', String(seconds), '-map', '0:v:0', '-c', 'copy', '-an', '-movflags', '+faststart', '-f', 'mp4', '-y', file];
}

/** Low-resolution gray frames (width * height bytes each) at `fps` on stdout. */
export function grayFramesArgs(source: StreamSource, width: number, height: number, fps: number): string[] {
  return [...inputArgs(source), '-an', '-vf', `fps=${fps},scale=${width}:${height}`, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'];
}

/**
 * Rolling MPEG-TS segments of `segmentSeconds` in `dir`, named by their start (epoch seconds), stream
 * copy: the pre-event buffer.
 */
export function segmentArgs(source: StreamSource, dir: string, segmentSeconds: number): string[] {
  return [
    ...inputArgs(source),
    '-map', '0:v:0', '-c', 'copy', '-an',
    '-f', 'segment', '-segment_time', String(segmentSeconds), '-segment_format', 'mpegts', '-reset_timestamps', '1', '-strftime', '1',
    `${dir}/%s.ts`,
  ];
}

/** What ffmpeg's stderr says went wrong, as camflow's error; `what` names the camera and the job. */
export function ffmpegError(stderr: string, what: string, exitCode: number | null): CamflowError {
  const text = stderr.replace(/rtsps?:\/\/[^@\s/]*@/g, 'rtsp://').trim();
  const last = text.split('\n').filter((l) => l.trim() !== '').at(-1)?.slice(0, 200) ?? `ffmpeg exited with code ${exitCode}`;
  if (/401 Unauthorized|authorization failed/i.test(text)) return new AuthError(`${what}: the camera refused the username or password (RTSP 401)`);
  if (/404 Not Found/i.test(text)) return new StreamNotFoundError(`${what}: the camera has no stream at that path (RTSP 404)`);
  if (/Connection refused/i.test(text)) return new ConnectionError(`${what}: connection refused (nothing listens on that port)`);
  if (/No route to host|Network is unreachable|Name or service not known|Temporary failure in name resolution/i.test(text)) return new ConnectionError(`${what}: cannot reach the camera (${last})`);
  if (/timed out|Operation timed out|Connection timed out/i.test(text)) return new TimeoutError(`${what}: the camera did not answer in time`);
  if (/codec not currently supported|Could not find codec parameters|Decoder .* not found|unsupported codec/i.test(text)) return new UnsupportedCodecError(`${what}: the stream's codec is not supported (${last})`);
  if (/No such file or directory/i.test(text) && /ffmpeg/.test(text)) return new ProtocolError(`${what}: ${last}`);
  return new ProtocolError(`${what}: ${last}`);
}

export interface FfmpegRun {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the exit code; rejects with camflow's error when ffmpeg failed (non-zero, not stopped by us). */
  done: Promise<number>;
  /** Asks ffmpeg to finish (`q`), kills it after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
  stderr(): string;
}

/** Every ffmpeg this process started and has not seen exit: closed on exit so none outlives camflow. */
const running = new Set<ChildProcessWithoutNullStreams>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function runFfmpeg(ffmpeg: string, args: readonly string[], what: string, signal?: AbortSignal): FfmpegRun {
  const child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stderr = '';
  let stopping = false;
  child.stderr.on('data', (chunk: Buffer) => {
    // The last few kB say why it failed; ffmpeg can be chatty over hours.
    stderr = (stderr + chunk.toString()).slice(-8192);
  });
  child.stdin.on('error', () => undefined); // a `q` to an ffmpeg that already exited
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      running.delete(child);
      resolve(-1);
    });
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new ConnectionError(`${what}: ffmpeg not found ('${ffmpeg}'); install ffmpeg or set the camera's ffmpeg path`) : error);
    });
  });
  const stop = async (graceMs = 3000): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    child.stdin.end('q');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const onAbort = (): void => void stop(1000);
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = Promise.race([
    spawnError,
    exited.then((code) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted === true) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      if (code === 0 || (stopping && code !== -1)) return code ?? 0;
      throw ffmpegError(stderr, what, code);
    }),
  ]);
  done.catch(() => undefined);
  return { child, done, stop, stderr: () => stderr };
}

/** Waits for a child to exit, for tests and close(): resolves at once if it already has. */
export async function exitOf(child: ChildProcessWithoutNullStreams): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await once(child, 'exit');
}
