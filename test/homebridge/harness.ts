/**
 * A real Homebridge (`homebridge -I`) with the camflow plugin, run by the test runner's Node (24),
 * in a temporary storage path, listening on an OS-chosen free port on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PIN = '031-45-154';
export const pluginDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../homebridge-plugin');
// homebridge's exports hide package.json: its main (dist/index.js) sits next to bin/.
const homebridgeCli = join(dirname(createRequire(join(pluginDir, 'package.json')).resolve('homebridge')), '..', 'bin', 'homebridge.js');

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

export interface RunningHomebridge {
  port: number;
  /** Everything Homebridge printed so far. */
  output: () => string;
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor: (pattern: RegExp) => Promise<string>;
  stop: () => Promise<void>;
  pid: number;
}

export interface StartOptions {
  /** Reuse this storage path (cached accessories, pairings) and leave it in place on stop. */
  storage?: string;
}

export async function startHomebridge(platform: Record<string, unknown>, options: StartOptions = {}): Promise<RunningHomebridge> {
  const storage = options.storage ?? (await mkdtemp(join(tmpdir(), 'camflow-hb-')));
  const port = await freePort();
  const config = {
    bridge: { name: 'Camflow Test', username: '0E:11:22:33:44:55', port, pin: PIN, bind: ['lo'], advertiser: 'ciao' },
    platforms: [{ platform: 'Camflow', ...platform }],
  };
  await writeFile(join(storage, 'config.json'), JSON.stringify(config));
  const child: ChildProcess = spawn(
    process.execPath,
    [homebridgeCli, '-I', '-Q', '-T', '-D', '-U', storage, '-P', pluginDir, '--strict-plugin-resolution'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const wake of [...waiters]) wake();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const waitFor = (pattern: RegExp): Promise<string> =>
    new Promise((ok, fail) => {
      const check = (): void => {
        const match = pattern.exec(text);
        if (match !== null) {
          waiters.delete(check);
          ok(match[0]);
        } else if (child.exitCode !== null) {
          waiters.delete(check);
          fail(new Error(`homebridge exited (${child.exitCode}):\n${text}`));
        }
      };
      waiters.add(check);
      child.once('exit', check);
      check();
    });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.storage === undefined) await rm(storage, { recursive: true, force: true });
  };
  try {
    await waitFor(new RegExp(`is running on port ${port}`));
  } catch (error) {
    await stop();
    throw error;
  }
  return { port, output: () => text, waitFor, stop, pid: child.pid ?? 0 };
}

/** HAP short type (`85`) from a full or short UUID. */
export function shortType(type: string): string {
  return type.replace(/-0000-1000-8000-0026BB765291$/i, '').replace(/^0+/, '').toUpperCase();
}

export interface HapCharacteristic {
  iid: number;
  type: string;
  value?: unknown;
  perms?: string[];
}
export interface HapService {
  iid: number;
  type: string;
  characteristics: HapCharacteristic[];
}
export interface HapAccessory {
  aid: number;
  services: HapService[];
}

/** Finds `aid.iid` of a characteristic in a service of the given types. */
export function findCharacteristic(accessory: HapAccessory, serviceType: string, charType: string, nth = 0): string {
  const services = accessory.services.filter((s) => shortType(s.type) === serviceType);
  const service = services[nth];
  const characteristic = service?.characteristics.find((c) => shortType(c.type) === charType);
  if (characteristic === undefined) throw new Error(`no characteristic ${charType} in service ${serviceType} #${nth}`);
  return `${accessory.aid}.${characteristic.iid}`;
}

/** The name (Characteristic 23) of a service. */
export function serviceName(service: HapService): string {
  return String(service.characteristics.find((c) => shortType(c.type) === '23')?.value ?? '');
}
