import { type Socket, createSocket } from 'node:dgram';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrailCamSimulator } from '@camflow/simulators';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const udpHandles = (): number => process.getActiveResourcesInfo().filter((r) => r.toUpperCase() === 'UDPWRAP').length;
// libuv frees a closed handle in the close phase after the close callback: two check phases later it is gone.
const closePhase = (): Promise<void> => new Promise((r) => setImmediate(() => setImmediate(r)));

/** Bound and never answering: a directory server that does not ack DEV_LGN. */
async function deafServer() {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  let received = 0;
  let wake: (() => void) | undefined;
  socket.on('message', () => {
    received++;
    wake?.();
  });
  const devLgns = async (n: number): Promise<void> => {
    while (received < n) await new Promise<void>((r) => (wake = r));
  };
  return { address: { address: '127.0.0.1', port: socket.address().port }, devLgns };
}

// Timers are faked (only timers: sockets are real) so the test can count the simulator's timers and
// drive the 100 ms resend and the deadline without waiting for them.
describe('TrailCamSimulator registration with a directory server', () => {
  it('fails start() with a clear error when the server never acknowledges, and leaves nothing running', async () => {
    const server = await deafServer();
    await closePhase();
    const udp = udpHandles();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const cam = new TrailCamSimulator({ directoryServers: [server.address], registerTimeoutMs: 250 });
    cleanups.push(() => cam.stop());
    const outcome = cam.start().then(
      () => 'started',
      (e: Error) => e.message,
    );
    await server.devLgns(1);
    expect(vi.getTimerCount()).toBe(2); // the resend interval and the deadline
    await vi.advanceTimersByTimeAsync(100);
    await server.devLgns(2); // resent while unanswered
    await vi.advanceTimersByTimeAsync(150);
    expect(await outcome).toMatch(/did not acknowledge DEV_LGN within 250 ms/);
    expect(vi.getTimerCount()).toBe(0);
    await closePhase();
    expect(udpHandles()).toBe(udp);
  });

  it('stop() during registration ends the wait and clears the resend interval', async () => {
    const server = await deafServer();
    await closePhase();
    const udp = udpHandles();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    const cam = new TrailCamSimulator({ directoryServers: [server.address], registerTimeoutMs: 60_000 });
    const outcome = cam.start().then(
      () => 'started',
      (e: Error) => e.message,
    );
    await server.devLgns(1);
    expect(vi.getTimerCount()).toBe(2);
    await cam.stop();
    expect(await outcome).toBe('simulator stopped while registering');
    expect(vi.getTimerCount()).toBe(0);
    await closePhase();
    expect(udpHandles()).toBe(udp);
  });
});
