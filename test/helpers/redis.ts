/**
 * A real Redis for tests: Debian's `redis-server` on a free loopback port, in a temporary folder,
 * with AOF on (fsync always) as the README tells users to run it: a `kill -9` of Redis then loses no
 * job. A missing binary fails the test: `npm run setup` installs it, and CI must have it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from './mosquitto.js';

export const REDIS_BIN = '/usr/bin/redis-server';

export class RedisServer {
  port = 0;
  #dir: string | undefined;
  #child: ChildProcess | undefined;
  #output = '';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts Redis (again on the same port and data after stop/kill), resolves when it accepts connections. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    if (this.port === 0) this.port = await freePort();
    this.#dir ??= await mkdtemp(join(tmpdir(), 'camflow-redis-'));
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.#dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
    const child = spawn(REDIS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => (this.#output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#output += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${this.#output}`)));
    });
    exited.catch(() => undefined);
    await Promise.race([waitForPort(this.port, 'redis-server'), exited]);
  }

  /** SIGKILL, as a crash or an OOM killer would. */
  async kill(): Promise<void> {
    await this.#end('SIGKILL');
  }

  async stop(): Promise<void> {
    await this.#end('SIGTERM');
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }

  async #end(signal: NodeJS.Signals): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }
}
