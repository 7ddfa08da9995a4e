import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionClient } from '@camflow/core';

const cli = fileURLToPath(new URL('../../../simulators/dist/cli.js', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function listen(port: number): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

async function close(...servers: Server[]): Promise<void> {
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
}

/** A port P from the OS such that P+1 is free too (--base-port takes consecutive ports). */
async function consecutiveFreePorts(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await listen(0);
    const port = (first.address() as { port: number }).port;
    const second = port < 65_535 ? await listen(port + 1).catch(() => undefined) : undefined;
    await close(first, ...(second === undefined ? [] : [second]));
    if (second !== undefined) return port;
  }
  throw new Error('no two consecutive free ports on 127.0.0.1');
}

type Child = ChildProcessByStdio<null, Readable, Readable>;

/** Resolves with stdout once `count` cameras say where they listen; rejects if the process exits first. */
function waitForListening(child: Child, count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split('\n').filter((line) => line.includes('listening on'));
      if (lines.length >= count) resolve(lines);
    });
    child.once('exit', (code) => reject(new Error(`camflow-sim exited with ${String(code)} before listening: ${err}`)));
  });
}

describe('camflow-sim hikvision as a real process', () => {
  it('--count 2 --base-port P --latency 20: prints both addresses, answers digest on each, stops on SIGTERM', async () => {
    const base = await consecutiveFreePorts();
    const child = spawn(process.execPath, [cli, 'hikvision', '--count', '2', '--base-port', String(base), '--latency', '20'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    });
    const lines = await waitForListening(child, 2);
    expect(lines).toEqual([
      `hikvision camera 1 listening on http://127.0.0.1:${base} (user admin)`,
      `hikvision camera 2 listening on http://127.0.0.1:${base + 1} (user admin)`,
    ]);
    const serials: string[] = [];
    for (const port of [base, base + 1]) {
      const client = new HikvisionClient({ host: '127.0.0.1', port, username: 'admin', password: 'password', timeoutMs: 5000 });
      cleanups.push(() => client.close());
      serials.push((await client.deviceInfo()).serialNumber);
      await client.deviceInfo();
      // Digest for real: one challenge, then signed requests only.
      expect(client.httpCounters).toMatchObject({ requests: 2, roundTrips: 3, unauthorized: 1 });
      await client.close();
    }
    expect(serials).toEqual(['DS-2CD2143G2-I20230601AAWRJ00000001', 'DS-2CD2143G2-I20230601AAWRJ00000002']);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    // Both ports are released.
    await close(await listen(base), await listen(base + 1));
  });
});
