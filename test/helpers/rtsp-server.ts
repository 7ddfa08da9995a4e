/**
 * A real RTSP camera for tests: GStreamer's gst-rtsp-server (test/helpers/rtsp_server.py, run with the
 * system Python that owns the `gi` bindings) on an OS-chosen loopback port, H.264 moving ball at
 * 320x240 10 fps on /cam, digest authentication. A missing GStreamer fails the test (never skips).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RTSP_USER = 'viewer';
export const RTSP_PASSWORD = 'Rtsp-s3cret-pw';
export const RTSP_WIDTH = 320;
export const RTSP_HEIGHT = 240;

export interface RtspTestServer {
  port: number;
  /** `digest`, or `basic` on gst-rtsp-server < 1.16. */
  auth: string;
  /** rtsp://127.0.0.1:port/cam, without credentials. */
  url: string;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./rtsp_server.py', import.meta.url));

export async function startRtspServer(): Promise<RtspTestServer> {
  const child: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', [script, RTSP_USER, RTSP_PASSWORD], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const close = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('close', resolve));
    child.kill('SIGKILL');
    await gone;
  };
  const ready = await new Promise<{ port: number; auth: string }>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /PORT (\d+) (\w+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), auth: m[2] ?? '' });
    });
    child.once('error', reject);
    child.once('close', (code) => reject(new Error(`RTSP test server exited (${String(code)}): ${err.trim()}`)));
  });
  return { ...ready, url: `rtsp://127.0.0.1:${ready.port}/cam`, close };
}
