/**
 * A real RTSP camera on loopback for tests: GStreamer's gst-rtsp-server (rtsp_server.py next to this
 * file, run by Debian's python3, which has the gi bindings) serving an H.264 moving test pattern at
 * /cam, 640x360 at 10 fps with a keyframe every second, behind digest authentication.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('rtsp_server.py', import.meta.url));

export interface RtspServer {
  port: number;
  username: string;
  password: string;
  /** rtsp://127.0.0.1:PORT/cam, without credentials (camflow takes them from the config). */
  url: string;
  stop(): Promise<void>;
}

export async function startRtspServer(options: { username?: string; password?: string } = {}): Promise<RtspServer> {
  const username = options.username ?? 'admin';
  const password = options.password ?? 'rtsp-Pa55';
  const child: ChildProcess = spawn('/usr/bin/python3', [script, '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RTSP_USER: username, RTSP_PASSWORD: password },
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening (\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`rtsp_server.py exited ${code}: ${output}`)));
  });
  return {
    port,
    username,
    password,
    url: `rtsp://127.0.0.1:${port}/cam`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
