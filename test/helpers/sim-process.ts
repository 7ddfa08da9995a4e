/**
 * A simulated camera in a process of its own (`camflow-sim hikvision`), so a test can freeze it with
 * SIGSTOP the way a hung camera behaves: the TCP port stays open, nothing answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const simBin = fileURLToPath(new URL('../../simulators/bin/camflow-sim.js', import.meta.url));

export interface SimProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

export async function hikvisionProcess(args: string[] = []): Promise<SimProcess> {
  const child = spawn(process.execPath, [simBin, 'hikvision', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1] !== undefined) resolve(Number(match[1]));
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`camflow-sim exited ${code}: ${output}`)));
  });
  return {
    child,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
