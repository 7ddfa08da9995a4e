import { type Socket, createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { PpppSession, type PpppMessage, decodeMessage, encodeDrw, encodeMessage, nextEvent } from '@camflow/core';

/** A hand-driven peer: the test plays the camera with raw datagrams. */
interface Peer {
  socket: Socket;
  port: number;
  received: PpppMessage[];
  next(type: PpppMessage['type']): Promise<PpppMessage>;
  send(bytes: Buffer): void;
}

const sockets: Socket[] = [];
const sessions: PpppSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function bound(): Promise<Socket> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  return socket;
}

async function setup(options: { initialIndex?: number; deadAfterMs?: number; aliveIntervalMs?: number } = {}) {
  const peerSocket = await bound();
  sockets.push(peerSocket);
  const clientSocket = await bound();
  const received: PpppMessage[] = [];
  const waiters: { type: string; resolve: (m: PpppMessage) => void }[] = [];
  peerSocket.on('message', (msg) => {
    const m = decodeMessage(msg);
    received.push(m);
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
  });
  const clientPort = clientSocket.address().port;
  const peer: Peer = {
    socket: peerSocket,
    port: peerSocket.address().port,
    received,
    next: (type) => new Promise((resolve) => waiters.push({ type, resolve })),
    send: (bytes) => peerSocket.send(bytes, clientPort, '127.0.0.1'),
  };
  const session = new PpppSession({ socket: clientSocket, remote: { address: '127.0.0.1', port: peer.port }, retransmitMs: 20, ...options });
  sessions.push(session);
  session.start();
  return { peer, session };
}

describe('PpppSession', () => {
  it('delivers in order despite reordering and duplicates, and ACKs every copy', async () => {
    const { peer, session } = await setup();
    const got: string[] = [];
    session.on('data', ({ data }) => void got.push(data.toString()));
    const acks = peer.next('DRW_ACK');
    for (const [index, text] of [[1, 'b'], [0, 'a'], [0, 'a'], [2, 'c']] as const) peer.send(encodeDrw(0, index, Buffer.from(text)));
    const ack = (await acks) as Extract<PpppMessage, { type: 'DRW_ACK' }>;
    while (got.length < 3) await nextEvent(session, 'data');
    expect(got).toEqual(['a', 'b', 'c']);
    const all = peer.received.filter((m) => m.type === 'DRW_ACK').flatMap((m) => (m.type === 'DRW_ACK' ? m.indexes : []));
    expect(ack.indexes.length).toBeGreaterThan(1);
    while (all.length < 4) {
      const more = (await peer.next('DRW_ACK')) as Extract<PpppMessage, { type: 'DRW_ACK' }>;
      all.push(...more.indexes);
    }
    expect(all.sort()).toEqual([0, 0, 1, 2]);
  });

  it('crosses the u16 index wrap', async () => {
    const { peer, session } = await setup({ initialIndex: 65534 });
    const got: string[] = [];
    session.on('data', ({ data }) => void got.push(data.toString()));
    for (const [index, text] of [[65535, 'y'], [0, 'z'], [65534, 'x']] as const) peer.send(encodeDrw(1, index, Buffer.from(text)));
    while (got.length < 3) await nextEvent(session, 'data');
    expect(got).toEqual(['x', 'y', 'z']);
    const sent = session.send(2, Buffer.from('q'));
    const drw = (await peer.next('DRW')) as Extract<PpppMessage, { type: 'DRW' }>;
    expect(drw.index).toBe(65534);
    peer.send(encodeMessage({ type: 'DRW_ACK', channel: 2, indexes: [65534] }));
    await sent;
  });

  it('resends an unacknowledged DRW until it is acknowledged, and cuts long data into 1024-byte DRWs', async () => {
    const { peer, session } = await setup();
    const sent = session.send(0, Buffer.alloc(2500, 7));
    const first = (await peer.next('DRW')) as Extract<PpppMessage, { type: 'DRW' }>;
    expect(first.data.length).toBe(1024);
    // Ignore the first copies: the session must send them again.
    const again = (await peer.next('DRW')) as Extract<PpppMessage, { type: 'DRW' }>;
    await peer.next('DRW');
    const resent = await new Promise<PpppMessage>((resolve) => {
      const check = (msg: Buffer): void => {
        const m = decodeMessage(msg);
        if (m.type === 'DRW' && m.index === 0) {
          peer.socket.off('message', check);
          resolve(m);
        }
      };
      peer.socket.on('message', check);
    });
    expect(resent).toMatchObject({ type: 'DRW', index: 0 });
    expect(again.index).toBe(1);
    peer.send(encodeMessage({ type: 'DRW_ACK', channel: 0, indexes: [0, 1, 2] }));
    await sent;
  });

  it('answers ALIVE, and sends ALIVE when idle', async () => {
    const { peer } = await setup({ aliveIntervalMs: 40 });
    const ack = peer.next('ALIVE_ACK');
    peer.send(encodeMessage({ type: 'ALIVE' }));
    await ack;
    await peer.next('ALIVE');
  });

  it('ends when the camera sends CLOSE, and close() sends CLOSE', async () => {
    const first = await setup();
    const closed = nextEvent(first.session, 'closed');
    first.peer.send(encodeMessage({ type: 'CLOSE' }));
    expect(await closed).toMatchObject({ byPeer: true });
    expect(first.session.open).toBe(false);

    const second = await setup();
    const close = second.peer.next('CLOSE');
    await second.session.close();
    await close;
    await expect(second.session.send(0, Buffer.from('x'))).rejects.toThrow(/not open/);
  });

  it('declares a silent camera dead', async () => {
    const { session } = await setup({ deadAfterMs: 100, aliveIntervalMs: 30 });
    const closed = await nextEvent(session, 'closed');
    expect(closed.error?.message).toContain('sent nothing for 100 ms');
  });
});
