import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RaceMemory, TrailCamClient, disposeLink, parseDid, planAttempts, race } from '@camflow/core';

// The simulators run in their own process (`camflow-sim trailcam`), so every UDP handle in this
// process is the client's: the count below is exactly the sockets the race left open.
let sim: ChildProcessByStdio<null, Readable, Readable>;
let ports: { lan: number; session: number; server: number };

beforeAll(async () => {
  const cli = fileURLToPath(new URL('../../../simulators/dist/cli.js', import.meta.url));
  sim = spawn(process.execPath, [cli, 'trailcam', '--max-sessions', '8'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    sim.once('exit', (code) => reject(new Error(`camflow-sim exited with ${String(code)}: ${out}`)));
    sim.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/relay 127\.0\.0\.1:\d+/.test(out)) resolve();
    });
  });
  const lan = /lan_port=(\d+) session_port=(\d+)/.exec(out);
  const server = /directory server 127\.0\.0\.1:(\d+)/.exec(out);
  ports = { lan: Number(lan?.[1]), session: Number(lan?.[2]), server: Number(server?.[1]) };
});

afterAll(async () => {
  const exited = new Promise<void>((resolve) => sim.once('exit', () => resolve()));
  sim.kill('SIGTERM');
  await exited;
});

const udpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r.toUpperCase() === 'UDPWRAP').length;
// libuv frees a closed handle in the close phase after its close callback: two check phases later it is gone.
const closePhase = (): Promise<void> => new Promise((resolve) => setImmediate(() => setImmediate(resolve)));

describe('sockets of a plain race over every path', () => {
  it('leaves only the winner socket open once race() resolves, and none after the link is closed', async () => {
    const did = parseDid('LBCS-000000-CCCJJ');
    await closePhase();
    const before = udpHandles();
    const attempts = planAttempts({
      did,
      host: '127.0.0.1',
      lanPort: ports.lan,
      ports: [ports.session, ports.lan, 9],
      servers: [{ address: '127.0.0.1', port: ports.server }],
      relay: true,
      broadcastAddress: false,
      context: { did, localAddress: '127.0.0.1', intervalMs: 20 },
    });
    expect(attempts.length).toBeGreaterThanOrEqual(6); // lan, three direct ports, p2p, relay
    for (let i = 0; i < 5; i++) {
      const { value, report } = await race(attempts, { staggerMs: 0, deadlineMs: 5000, memory: new RaceMemory() });
      expect(Object.values(report.attempts).filter((a) => a.state === 'running' || a.state === 'pending')).toEqual([]);
      await closePhase();
      expect(udpHandles()).toBe(before + 1);
      await disposeLink(value);
      await closePhase();
      expect(udpHandles()).toBe(before);
    }
  });

  it('TrailCamClient holds one socket while connected and none after close()', async () => {
    await closePhase();
    const before = udpHandles();
    const client = new TrailCamClient({
      did: 'LBCS-000000-CCCJJ',
      host: '127.0.0.1',
      lanPort: ports.lan,
      ports: [ports.session, 9],
      servers: [`127.0.0.1:${ports.server}`],
      username: 'admin',
      password: 'admin',
      localAddress: '127.0.0.1',
      broadcastAddress: '127.0.0.1',
      timeoutMs: 5000,
      memory: new RaceMemory(),
    });
    try {
      await client.connect();
      await closePhase();
      expect(udpHandles()).toBe(before + 1);
    } finally {
      await client.close();
    }
    await closePhase();
    expect(udpHandles()).toBe(before);
  });
});
