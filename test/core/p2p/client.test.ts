import { afterEach, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import {
  AbortError,
  AuthError,
  RaceError,
  RaceMemory,
  TimeoutError,
  TrailCamClient,
  type TrailCamClientOptions,
  decodeMessage,
  nextEvent,
} from '@camflow/core';
import {
  DirectoryServerSimulator,
  RelaySimulator,
  TrailCamSimulator,
  type TrailCamSimulatorOptions,
  thumbnailJpeg,
} from '@camflow/simulators';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function world(options: TrailCamSimulatorOptions = {}) {
  const relay = new RelaySimulator();
  await relay.start();
  cleanups.push(() => relay.stop());
  const server = new DirectoryServerSimulator({ relays: [relay.address] });
  await server.start();
  cleanups.push(() => server.stop());
  const camera = new TrailCamSimulator({ directoryServers: [server.address], ...options });
  await camera.start();
  cleanups.push(() => camera.stop());
  const client = (extra: Partial<TrailCamClientOptions> = {}): TrailCamClient => {
    const c = new TrailCamClient({
      did: 'LBCS-000000-CCCJJ',
      host: '127.0.0.1',
      lanPort: camera.lanPort,
      ports: [camera.sessionPort],
      servers: [`127.0.0.1:${server.address.port}`],
      username: 'admin',
      password: 'admin',
      localAddress: '127.0.0.1',
      broadcastAddress: '127.0.0.1', // never a real broadcast address from tests
      timeoutMs: 3000,
      memory: new RaceMemory(),
      ...extra,
    });
    cleanups.push(() => c.close());
    return c;
  };
  return { camera, server, relay, client };
}

describe('TrailCamClient against the simulated camera', () => {
  it.each([
    ['lan', { lan: { delayMs: 0 }, direct: { silent: true }, p2p: { silent: true }, relay: { silent: true } }],
    ['direct:', { lan: { silent: true }, direct: { delayMs: 0 }, p2p: { silent: true }, relay: { silent: true } }],
    ['p2p', { lan: { silent: true }, direct: { silent: true }, p2p: { delayMs: 0 }, relay: { silent: true } }],
    ['relay', { lan: { silent: true }, direct: { silent: true }, p2p: { silent: true }, relay: { delayMs: 0 } }],
  ] as const)('%s wins when it is the path that answers, and the others are cancelled', async (winner, paths) => {
    const { camera, client } = await world({ paths, announcePortOffset: 2 });
    const c = client();
    const report = await c.connect();
    expect(report.winner.startsWith(winner)).toBe(true);
    expect(c.connected).toBe(true);
    for (const [name, attempt] of Object.entries(report.attempts)) {
      if (name !== report.winner) expect(attempt.state).toBe('cancelled');
    }
    expect(report.attempts[report.winner]).toMatchObject({ state: 'success', localPort: expect.any(Number) });
    expect(camera.activeSessions).toHaveLength(1);
    expect(await c.deviceInfo()).toMatchObject({ modelName: 'KJK230', result: 0, cmdId: 512 });
  });

  it('keeps media on the LAN: a relay session that came first is CLOSEd when the LAN answers in the grace period', async () => {
    // The LAN stays silent until the relay session is open, then answers: the order is fixed by events, not delays.
    const { camera, client } = await world({
      maxSessions: 4,
      paths: { lan: { silent: true }, direct: { silent: true }, p2p: { silent: true }, relay: { delayMs: 0 } },
    });
    const relayOpened = new Promise<void>((resolve) =>
      camera.on('session-open', ({ path }) => {
        if (path !== 'relay') return;
        camera.setPathBehaviour('lan', { delayMs: 0 });
        resolve();
      }),
    );
    const c = client({ lanGraceMs: 2000 });
    const closed = new Promise<string>((resolve) => camera.on('session-closed', ({ path, reason }) => void (path === 'relay' && resolve(reason))));
    const report = await c.connect();
    await relayOpened;
    expect(report.winner).toBe('lan');
    expect(report.attempts['relay']!.state).toBe('cancelled');
    // The relay session reached the camera; the client closed it so the camera's slot is free again.
    expect(await closed).toBe('peer sent CLOSE');
    expect(camera.stats.closesReceived).toBe(1);
    expect(camera.activeSessions).toEqual([expect.objectContaining({ path: 'lan' })]);
  });

  it('a losing attempt whose PUNCH_PKT took a camera slot sends CLOSE in a plain race (no LAN policy)', async () => {
    // The direct attempt reaches the camera first (its slot is reserved, its handshake held back);
    // only then does the LAN answer and win. The loser must free the slot it holds.
    const { camera, client } = await world({
      maxSessions: 4,
      paths: { lan: { silent: true }, direct: { delayMs: 60_000 }, p2p: { silent: true }, relay: { silent: true } },
    });
    camera.on('session-reserved', ({ path }) => {
      if (path === 'direct') camera.setPathBehaviour('lan', { delayMs: 0 });
    });
    const closed = new Promise<string>((resolve) => camera.on('session-closed', ({ path, reason }) => void (path === 'direct' && resolve(reason))));
    const c = client({ relay: false });
    const report = await c.connect();
    expect(report.winner).toBe('lan');
    expect(report.attempts[`direct:${camera.sessionPort}`]!.state).toBe('cancelled');
    expect(await closed).toBe('peer sent CLOSE');
    expect(camera.stats.closesReceived).toBe(1);
    expect(camera.activeSessions).toEqual([expect.objectContaining({ path: 'lan' })]);
  });

  it('logs in, lists media, fetches real JPEG thumbnails and a snapshot', async () => {
    const { camera, client } = await world({ photos: 50 });
    const c = client();
    const event = nextEvent(c, 'event');
    await c.connect();
    expect(await event).toEqual({ evtId: 4 });
    const list = await c.mediaList();
    expect(list).toHaveLength(50); // two pages of 45
    expect(list[0]).toEqual(camera.photos[0]);
    const jpeg = await c.thumbnail(list[3]!);
    expect(jpeg).toEqual(thumbnailJpeg(100, list[3]!.mediaNum));
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    expect(await c.thumbnail(`100/${list[5]!.mediaNum}`)).toEqual(thumbnailJpeg(100, list[5]!.mediaNum));
    expect(await c.snapshot()).toEqual(thumbnailJpeg(100, camera.photos[0]!.mediaNum));
  });

  it('receives live video records and stops the stream', async () => {
    const { camera, client } = await world({ frameIntervalMs: 5 });
    const c = client();
    await c.connect();
    const records = [];
    for await (const record of c.liveVideo()) {
      records.push(record);
      if (records.length === 3) break;
    }
    expect(records[0]).toMatchObject({ width: 320, height: 180 });
    // Decrypted: the first access unit opens with its SPS (NAL type 7), in the clear.
    expect(records[0]!.data.subarray(0, 5).toString('hex')).toBe('0000000167');
    expect(records[1]!.data.subarray(0, 4).toString('hex')).toBe('00000001');
    await c.deviceInfo(); // the 259 went out before this
    expect(camera.activeSessions).toHaveLength(1);
  });

  it('survives duplicated, reordered and lost DRWs from the camera', async () => {
    const { client } = await world({ drw: { duplicate: true, reorder: true, lossRate: 0.3 } });
    const c = client();
    await c.connect();
    expect(await c.deviceInfo()).toMatchObject({ modelName: 'KJK230' });
    expect(await c.mediaList()).toHaveLength(12);
  });

  it('sends the heartbeat while connected', async () => {
    const { camera, client } = await world();
    const c = client({ heartbeatMs: 30 });
    await c.connect();
    await nextEvent(camera, 'heartbeat');
    await nextEvent(camera, 'heartbeat');
    expect(camera.stats.heartbeats).toBeGreaterThanOrEqual(2);
  });

  it('refuses a wrong password with AuthError and frees the session', async () => {
    const { camera, client } = await world();
    const closed = nextEvent(camera, 'session-closed');
    await expect(client({ password: 'wrong' }).connect()).rejects.toBeInstanceOf(AuthError);
    expect((await closed).reason).toBe('peer sent CLOSE');
  });

  it('detects a dead camera', async () => {
    const { camera, client } = await world();
    const c = client({ session: { deadAfterMs: 300, aliveIntervalMs: 50 } });
    await c.connect();
    const gone = nextEvent(c, 'disconnected');
    await camera.stop();
    const { error } = await gone;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(c.connected).toBe(false);
  });

  it('reports every attempt when nothing answers', async () => {
    const silent = { silent: true };
    const { client } = await world({ paths: { lan: silent, direct: silent, p2p: silent, relay: silent } });
    const error = (await client({ timeoutMs: 300 }).connect().catch((e: unknown) => e)) as RaceError;
    expect(error).toBeInstanceOf(RaceError);
    expect(error.code).toBe('TIMEOUT');
    expect(Object.keys(error.report.attempts).sort()).toEqual(expect.arrayContaining(['lan', 'p2p', 'relay']));
    for (const attempt of Object.values(error.report.attempts)) expect(attempt.state).toBe('cancelled');
    expect(error.report.attempts['lan']!.retries).toBeGreaterThan(0);
  });

  it('aborts connecting through the signal', async () => {
    const { client } = await world({ paths: { lan: { silent: true }, direct: { silent: true }, p2p: { silent: true }, relay: { silent: true } } });
    const controller = new AbortController();
    const pending = client().connect({ signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('an abort while waiting for the camera\'s "ACK" DRW rejects with AbortError and frees the session', async () => {
    // Every DRW from the camera is lost: the session is up but the "ACK" never arrives.
    const { camera, client } = await world({ drw: { lossRate: 1 } });
    const controller = new AbortController();
    // The race remembers its winner as it resolves; abort once the client is past it, waiting for the ACK.
    class AbortAfterRace extends RaceMemory {
      override remember(target: string, name: string, elapsedMs: number): void {
        super.remember(target, name, elapsedMs);
        setImmediate(() => controller.abort());
      }
    }
    const closed = nextEvent(camera, 'session-closed');
    const error = await client({ memory: new AbortAfterRace() }).connect({ signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((await closed).reason).toBe('peer sent CLOSE');
  });

  it('searches the LAN by unicast to the camera and by broadcast, every round', async () => {
    // A search port that never answers; the broadcast target is 127.0.0.1 as well (tests never broadcast).
    const search = createSocket('udp4');
    await new Promise<void>((resolve) => search.bind(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => search.close(() => resolve())));
    const c = new TrailCamClient({
      did: 'LBCS-000000-CCCJJ',
      host: '127.0.0.1',
      lanPort: search.address().port,
      broadcastAddress: '127.0.0.1',
      localAddress: '127.0.0.1',
      username: 'admin',
      password: 'admin',
      probeIntervalMs: 60_000, // one round only: both datagrams below belong to it
      memory: new RaceMemory(),
    });
    cleanups.push(() => c.close());
    const controller = new AbortController();
    const pending = c.connect({ signal: controller.signal, modes: ['lan'] });
    const searches: string[] = [];
    await new Promise<void>((resolve) =>
      search.on('message', (msg) => {
        searches.push(decodeMessage(msg).type);
        if (searches.length === 2) resolve();
      }),
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
    expect(searches).toEqual(['LAN_SEARCH', 'LAN_SEARCH']);
  });
});
