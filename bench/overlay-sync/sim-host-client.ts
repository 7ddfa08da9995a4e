/** The parent's side of sim-host.ts: starts the child, asks for counters, stops it. */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export interface CameraCounters {
  requests: number;
  unauthorized: number;
  puts: number;
}

interface Reply {
  type: string;
  ports?: number[];
  cameras?: CameraCounters[];
}

export class SimHost {
  readonly ports: number[];
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess, ports: number[]) {
    this.#child = child;
    this.ports = ports;
  }

  static async start(options: { count: number; latencyMs: number; overlayCount: number }): Promise<SimHost> {
    const child = fork(fileURLToPath(new URL('./sim-host.ts', import.meta.url)), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.send({ type: 'start', ...options });
    const reply = await SimHost.#reply(child, 'ready');
    return new SimHost(child, reply.ports ?? []);
  }

  async stats(): Promise<CameraCounters[]> {
    this.#child.send({ type: 'stats' });
    return (await SimHost.#reply(this.#child, 'stats')).cameras ?? [];
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = once(this.#child, 'exit');
    this.#child.send({ type: 'stop' });
    await exited;
  }

  static #reply(child: ChildProcess, type: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: Reply): void => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null): void => reject(new Error(`simulator host exited (${code}) while waiting for '${type}'`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }
}
