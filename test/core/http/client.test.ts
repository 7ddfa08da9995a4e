import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError, CameraHttpClient } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)?.call(item);
});

async function setup(simOptions: ConstructorParameters<typeof HikvisionSimulator>[0] = {}, password = 'password') {
  const sim = new HikvisionSimulator(simOptions);
  await sim.start();
  open.push(sim);
  const http = new CameraHttpClient({ origin: sim.url, username: 'admin', password, connections: 4, allowBasicOverHttp: simOptions.basicOnly === true });
  open.push(http);
  return { sim, http };
}

const get = (http: CameraHttpClient) => http.request({ method: 'GET', path: '/ISAPI/System/deviceInfo' });

describe('CameraHttpClient digest', () => {
  it('pays one 401 for a cold start of parallel requests and none after (one round trip each)', async () => {
    const { sim, http } = await setup();
    const first = await Promise.all(Array.from({ length: 8 }, () => get(http)));
    expect(first.every((r) => r.status === 200)).toBe(true);
    for (let i = 0; i < 5; i++) await Promise.all(Array.from({ length: 8 }, () => get(http)));
    expect(sim.stats.unauthorized).toBe(1);
    expect(sim.stats.requests).toBe(48 + 1);
    expect(sim.stats.replays).toBe(0);
    expect(http.counters.roundTrips).toBe(49);
  });

  it('sends the signed retry, a request held for the verdict, and the next call over the connection that got the 401', async () => {
    const { sim, http } = await setup();
    expect((await get(http)).status).toBe(200);
    expect(sim.stats.connectionsOpened).toBe(1);
    for (let i = 0; i < 3; i++) expect((await get(http)).status).toBe(200);
    expect(sim.stats.connectionsOpened).toBe(1);
    const cold = await setup();
    const both = await Promise.all([get(cold.http), get(cold.http)]);
    expect(both.map((r) => r.status)).toEqual([200, 200]);
    expect(cold.sim.stats).toMatchObject({ requests: 3, unauthorized: 1, connectionsOpened: 1 });
  });

  it('gives up with AuthError after exactly two attempts and sends nothing during the back-off', async () => {
    const { sim, http } = await setup({}, 'wrong');
    await expect(get(http)).rejects.toBeInstanceOf(AuthError);
    expect(sim.stats.requests).toBe(2);
    expect(sim.stats.failedLogins).toBe(1);
    await expect(get(http)).rejects.toThrow(/not trying again/);
    await expect(Promise.all([get(http), get(http)])).rejects.toBeInstanceOf(AuthError);
    expect(sim.stats.requests).toBe(2);
  });

  it('parallel requests with a wrong password still make only two attempts', async () => {
    const { sim, http } = await setup({}, 'wrong');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => get(http)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof AuthError)).toBe(true);
    expect(sim.stats.requests).toBe(2);
  });

  it('re-challenges once when the nonce goes stale', async () => {
    const { sim, http } = await setup();
    await get(http);
    sim.expireNonces();
    expect((await get(http)).status).toBe(200);
    // The stale 401 and the signed retry: one re-challenge, then back to one round trip per request.
    expect(sim.stats).toMatchObject({ requests: 4, unauthorized: 2, stale: 1, failedLogins: 0 });
    expect((await get(http)).status).toBe(200);
    expect(sim.stats).toMatchObject({ requests: 5, unauthorized: 2 });
  });

  it('recovers when the camera forgot its nonces (reboot: 401 with a new nonce, no stale)', async () => {
    const { sim, http } = await setup();
    await get(http);
    sim.reboot();
    expect((await get(http)).status).toBe(200);
    expect(sim.stats.unauthorized).toBe(2);
    expect(sim.stats.failedLogins).toBe(0);
  });

  it('speaks Basic to a Basic-only camera', async () => {
    const { sim, http } = await setup({ basicOnly: true });
    expect((await get(http)).status).toBe(200);
    expect((await get(http)).status).toBe(200);
    expect(sim.stats.unauthorized).toBe(1);
  });

  it('resends the body on the auth retry and sends GET with a body', async () => {
    const { sim, http } = await setup();
    const body = '<?xml version="1.0"?><downloadRequest><playbackURI>rtsp://x/?name=nope</playbackURI></downloadRequest>';
    const response = await http.request({ method: 'GET', path: '/ISAPI/ContentMgmt/download', body });
    // The simulator parsed the body (it names the recording as unknown rather than the XML as bad).
    expect(response.status).toBe(404);
    expect(response.body.toString()).toContain('badParameters');
    expect(sim.stats.unauthorized).toBe(1);
  });

  it('leaves no socket open after close()', async () => {
    const { sim, http } = await setup();
    await Promise.all(Array.from({ length: 4 }, () => get(http)));
    expect(sim.stats.connectionsOpen).toBeGreaterThan(0);
    await http.close();
    await http.close();
    await vi.waitFor(() => expect(sim.stats.connectionsOpen).toBe(0));
    await expect(get(http)).rejects.toThrow(/closed/);
  });
});
