/** The alert stream's state on HikvisionClient (`eventStreamStatus`, `on('event-stream')`) against the simulator. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, type HikvisionClient, type EventStreamState, type EventStreamStatus } from '@camflow/core';
import type { HikvisionSimulatorOptions } from '@camflow/simulators';
import { simulatedHikvision, type HikvisionClientOptions } from '../../helpers/hikvision.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(simOptions: HikvisionSimulatorOptions = {}, clientOptions: HikvisionClientOptions = {}) {
  const { sim, client } = await simulatedHikvision(cleanup, simOptions, { eventReconnectMs: { initial: 20, max: 200 }, ...clientOptions });
  const seen: EventStreamState[] = [];
  const off = client.on('event-stream', (status) => void seen.push(status.state));
  cleanup.push(async () => off());
  return { sim, client, seen };
}

/** The next `event-stream` report in `state` (subscribe before causing it). */
function reported(client: HikvisionClient, state: EventStreamState): Promise<EventStreamStatus> {
  return new Promise((resolve) => {
    const off = client.on('event-stream', (status) => {
      if (status.state !== state) return;
      off();
      resolve(status);
    });
  });
}

describe('HikvisionClient event stream state', () => {
  it('is idle, then connecting, then connected as soon as the multipart answer starts (before any event)', async () => {
    // No heartbeat for a minute: 'connected' must not wait for the first part.
    const { sim, client, seen } = await setup({ heartbeatMs: 60_000 });
    expect(client.eventStreamStatus).toEqual({ state: 'idle' });
    const connected = reported(client, 'connected');
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    await connected;
    expect(seen).toEqual(['connecting', 'connected']);
    expect(client.eventStreamStatus).toEqual({ state: 'connected' });
    expect(sim.stats.alertStreamsOpen).toBe(1);
    sim.triggerEvent({ type: 'VMD' });
    expect((await next).value).toMatchObject({ type: 'vmd', state: 'active' });
    expect(seen).toEqual(['connecting', 'connected']); // events are not state changes
    await it.return?.();
    expect(client.eventStreamStatus).toEqual({ state: 'idle' });
    expect(seen).toEqual(['connecting', 'connected', 'idle']);
  });

  it('a reboot reads reconnecting, then connected, and the same iteration goes on', async () => {
    const { sim, client, seen } = await setup();
    const connected = reported(client, 'connected');
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    await connected;
    const reconnecting = reported(client, 'reconnecting');
    const back = reported(client, 'connected');
    sim.reboot();
    expect((await reconnecting).retryInMs).toBeGreaterThan(0);
    await back;
    expect(seen).toEqual(['connecting', 'connected', 'reconnecting', 'connected']);
    sim.triggerEvent({ type: 'IO' });
    expect((await next).value).toMatchObject({ type: 'io', state: 'active' });
    await it.return?.();
  });

  it('rejected credentials: auth_failed, the iteration stays alive, one login per back-off, back once the password fits', async () => {
    const { sim, client, seen } = await setup({}, { authBackoffMs: 300 });
    sim.setPassword('changed-on-the-camera');
    const failed = reported(client, 'auth_failed');
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    const first = await failed;
    expect(first.error).toBeInstanceOf(AuthError);
    expect(first.retryInMs).toBeGreaterThan(0);
    expect(seen).toEqual(['connecting', 'auth_failed']);
    // One attempt is a challenge and one signed request; the camera counts one failed login.
    expect(sim.stats.requests).toBe(2);
    expect(sim.stats.failedLogins).toBe(1);

    // Still wrong after the back-off: exactly one more attempt, nothing in between.
    await reported(client, 'auth_failed');
    expect(sim.stats.requests).toBe(4);
    expect(sim.stats.failedLogins).toBe(2);

    sim.setPassword('password');
    await reported(client, 'connected');
    expect(sim.stats.requests).toBe(6);
    expect(sim.stats.failedLogins).toBe(2);
    expect(sim.stats.lockedOut).toBe(0);
    expect(seen).toEqual(['connecting', 'auth_failed', 'auth_failed', 'connected']);
    sim.triggerEvent({ type: 'linedetection' });
    expect((await next).value).toMatchObject({ type: 'linedetection', state: 'active' });
    await it.return?.();
  });

  it('close() while waiting out the auth back-off: idle, iterations end, nothing left open', async () => {
    const { sim, client } = await setup({}, { authBackoffMs: 60_000 });
    sim.setPassword('changed-on-the-camera');
    const failed = reported(client, 'auth_failed');
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    expect((await failed).retryInMs).toBeGreaterThan(1000);
    await client.close();
    expect((await next).done).toBe(true);
    expect(client.eventStreamStatus).toEqual({ state: 'idle' });
    // A closed client hands out iterations that end at once instead of retrying forever.
    expect((await client.events()[Symbol.asyncIterator]().next()).done).toBe(true);
    await vi.waitFor(() => expect(sim.stats.connectionsOpen).toBe(0));
    expect(sim.stats.requests).toBe(2);
  });

  it('close() while connected: idle, iterations end, no connection or stream left on the camera', async () => {
    const { sim, client, seen } = await setup();
    const connected = reported(client, 'connected');
    const it = client.events()[Symbol.asyncIterator]();
    const next = it.next();
    await connected;
    await client.close();
    expect((await next).done).toBe(true);
    expect(seen).toEqual(['connecting', 'connected', 'idle']);
    await vi.waitFor(() => expect(sim.stats.connectionsOpen + sim.stats.alertStreamsOpen).toBe(0));
  });

  it('a consumer arriving while the last one is leaving gets a stream of its own', async () => {
    const { sim, client } = await setup();
    const connected = reported(client, 'connected');
    const controller = new AbortController();
    const first = client.events({ signal: controller.signal })[Symbol.asyncIterator]();
    const leaving = first.next();
    await connected;
    controller.abort();
    // A few microtasks in: the first iteration is tearing its stream down right now.
    for (let i = 0; i < 3; i++) await Promise.resolve();
    const second = client.events()[Symbol.asyncIterator]();
    const next = second.next();
    expect((await leaving).done).toBe(true);
    await vi.waitFor(() => expect(client.eventStreamStatus.state).toBe('connected'));
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'PIR' });
    expect((await next).value).toMatchObject({ type: 'pir' });
    await second.return?.();
  });
});
