import { spawn } from 'node:child_process';
import { type Socket, createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type PpppMessage, decodeMessage, encodeMessage, nextEvent, parseDid } from '@camflow/core';
import { DirectoryServerSimulator, TrailCamSimulator } from '@camflow/simulators';

const fixture = (kind: string, dir: string): string =>
  readFileSync(new URL('../../fixtures/trailcam/packets.jsonl', import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { kind: string; dir: string; hex: string })
    .find((p) => p.kind === kind && p.dir === dir)!.hex;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function rawClient() {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  const inbox: { m: PpppMessage; hex: string; port: number }[] = [];
  let wake: (() => void) | undefined;
  socket.on('message', (msg, rinfo) => {
    inbox.push({ m: decodeMessage(msg), hex: msg.toString('hex'), port: rinfo.port });
    wake?.();
  });
  const next = async (type: PpppMessage['type']) => {
    for (;;) {
      const i = inbox.findIndex((x) => x.m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0]!;
      await new Promise<void>((r) => (wake = r));
    }
  };
  const send = (m: PpppMessage, port: number) => socket.send(encodeMessage(m), port, '127.0.0.1');
  return { socket, inbox, next, send };
}

async function camera(options: ConstructorParameters<typeof TrailCamSimulator>[0] = {}) {
  const cam = new TrailCamSimulator(options);
  await cam.start();
  cleanups.push(() => cam.stop());
  return cam;
}

describe('TrailCamSimulator speaks as the captured camera', () => {
  it('answers LAN_SEARCH from its session port, then P2P_RDY_ACKs, P2P_RDY and the "ACK" DRW, byte for byte', async () => {
    const cam = await camera();
    const c = await rawClient();
    c.send({ type: 'LAN_SEARCH' }, cam.lanPort);
    const punch = await c.next('PUNCH_PKT');
    expect(punch.port).toBe(cam.sessionPort);
    expect(punch.port).not.toBe(cam.lanPort);
    expect(punch.hex).toBe(fixture('punch', 'd2c'));
    c.send({ type: 'PUNCH_PKT', did: parseDid('LBCS-000000-CCCJJ') }, punch.port);
    const rdyAck = await c.next('P2P_RDY_ACK');
    expect(rdyAck.hex.slice(0, 48)).toBe(fixture('p2p_rdy_ack', 'd2c').slice(0, 48));
    expect((await c.next('P2P_RDY')).hex).toBe(fixture('p2p_rdy', 'd2c'));
    expect((await c.next('DRW')).hex).toBe(fixture('drw_hello', 'd2c'));
  });

  it('CLOSEs a session whose ALIVEs go unanswered', async () => {
    const cam = await camera({ aliveIntervalMs: 20, aliveTimeoutMs: 100 });
    const c = await rawClient();
    c.send({ type: 'PUNCH_PKT', did: parseDid('LBCS-000000-CCCJJ') }, cam.sessionPort);
    await c.next('P2P_RDY');
    const drw = await c.next('DRW');
    if (drw.m.type === 'DRW') c.send({ type: 'DRW_ACK', channel: 0, indexes: [drw.m.index] }, cam.sessionPort);
    await c.next('ALIVE');
    const closed = nextEvent(cam, 'session-closed');
    expect((await c.next('CLOSE')).hex).toBe(fixture('close', 'd2c'));
    expect((await closed).reason).toBe('ALIVE unanswered');
  });

  it('has few slots: a second client is ignored until the first sends CLOSE', async () => {
    const cam = await camera({ maxSessions: 1 });
    const did = parseDid('LBCS-000000-CCCJJ');
    const a = await rawClient();
    const b = await rawClient();
    a.send({ type: 'PUNCH_PKT', did }, cam.sessionPort);
    await a.next('P2P_RDY');
    b.send({ type: 'PUNCH_PKT', did }, cam.sessionPort);
    a.send({ type: 'CLOSE' }, cam.sessionPort);
    await nextEvent(cam, 'session-closed');
    expect(b.inbox.some((x) => x.m.type === 'P2P_RDY')).toBe(false);
    b.send({ type: 'PUNCH_PKT', did }, cam.sessionPort);
    await b.next('P2P_RDY');
  });

  it('through the directory server, announces port-2 so clients punch around it', async () => {
    const server = new DirectoryServerSimulator();
    await server.start();
    cleanups.push(() => server.stop());
    const cam = await camera({ directoryServers: [server.address], announcePortOffset: 2 });
    const c = await rawClient();
    c.send({ type: 'P2P_REQ', did: cam.did, local: { address: '127.0.0.1', port: c.socket.address().port } }, server.address.port);
    expect((await c.next('P2P_REQ_ACK')).m).toEqual({ type: 'P2P_REQ_ACK', result: 0 });
    const punchTo = await c.next('PUNCH_TO');
    expect(punchTo.m).toEqual({ type: 'PUNCH_TO', to: { address: '127.0.0.1', port: cam.sessionPort - 2 } });
    const punch = await c.next('PUNCH_PKT'); // the device punches back from its real port
    expect(punch.port).toBe(cam.sessionPort);
  });

  it('runs as `camflow-sim trailcam`', async () => {
    const cli = fileURLToPath(new URL('../../../simulators/dist/cli.js', import.meta.url));
    const child = spawn(process.execPath, [cli, 'trailcam'], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(() => void child.kill('SIGTERM'));
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('relay')) resolve();
      });
    });
    expect(out).toMatch(/trailcam did=LBCS-000000-CCCJJ host=127.0.0.1 lan_port=\d+ session_port=\d+/);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
