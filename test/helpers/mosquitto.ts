/**
 * A real Mosquitto broker for tests: the Debian `mosquitto` binary, started on a free loopback port
 * with a throwaway config, stopped (and restartable on the same port) by the test. A missing binary
 * fails the test: it is a real part the suite needs (`npm run setup` installs it).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const MOSQUITTO_BIN = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD_BIN = '/usr/bin/mosquitto_passwd';

export interface MosquittoOptions {
  /** Username -> password: anonymous clients are refused, these log in (a password_file made by mosquitto_passwd). */
  users?: Readonly<Record<string, string>>;
  /** Keep sessions and queued messages across a restart (saved on SIGTERM, loaded at start). */
  persistence?: boolean;
}

export class Mosquitto {
  port = 0;
  readonly #options: MosquittoOptions;
  #dir: string | undefined;
  #child: ChildProcess | undefined;
  #output = '';

  constructor(options: MosquittoOptions = {}) {
    this.#options = options;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  /** Starts Mosquitto on a free port (or the same port again after stop()), resolves when it accepts connections. */
  async start(): Promise<void> {
    if (this.#child !== undefined) return;
    if (this.port === 0) this.port = await freePort();
    this.#dir ??= await mkdtemp(join(tmpdir(), 'camflow-mosquitto-'));
    const config = join(this.#dir, 'mosquitto.conf');
    const persistence = this.#options.persistence === true ? `persistence true\npersistence_location ${this.#dir}/\n` : 'persistence false\n';
    if (this.#options.persistence === true) await chmod(this.#dir, 0o777); // written by the mosquitto user
    await writeFile(config, `listener ${this.port} 127.0.0.1\n${persistence}${await this.#authConfig(this.#dir)}`);
    const child = spawn(MOSQUITTO_BIN, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    child.stdout?.on('data', (d: Buffer) => (this.#output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#output += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`mosquitto exited with ${code}: ${this.#output}`)));
    });
    await Promise.race([waitForPort(this.port), exited]);
  }

  async #authConfig(dir: string): Promise<string> {
    const users = Object.entries(this.#options.users ?? {});
    if (users.length === 0) return 'allow_anonymous true\n';
    const file = join(dir, 'passwords');
    await writeFile(file, '');
    for (const [user, password] of users) await promisify(execFile)(MOSQUITTO_PASSWD_BIN, ['-b', file, user, password]);
    // Started as root, Mosquitto drops to the `mosquitto` user before it reads the file (hashes only).
    await chmod(dir, 0o755);
    await chmod(file, 0o644);
    return `allow_anonymous false\npassword_file ${file}\n`;
  }

  /** Stops the broker process (retained messages are lost: persistence is off, like a fresh broker). */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  /** Stops it and removes its temporary directory. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#dir !== undefined) await rm(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on the port; polls because a child process cannot tell us. */
export async function waitForPort(port: number, what = 'mosquitto'): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${what} did not listen on ${port}`);
}
