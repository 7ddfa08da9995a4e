import { afterEach, describe, expect, it } from 'vitest';
import { CameraHttpClient, HikvisionClient } from '@camflow/core';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)?.call(item);
});

async function startSim(options: HikvisionSimulatorOptions): Promise<HikvisionSimulator> {
  const sim = new HikvisionSimulator(options);
  await sim.start();
  open.push(sim);
  return sim;
}

function httpClient(sim: HikvisionSimulator, connections?: number): CameraHttpClient {
  const http = new CameraHttpClient({ origin: sim.url, username: 'admin', password: 'password', ...(connections === undefined ? {} : { connections }) });
  open.push(http);
  return http;
}

const get = (http: CameraHttpClient) => http.request({ method: 'GET', path: '/ISAPI/System/deviceInfo' });

describe('connection cap', () => {
  // The latency only keeps every request in flight long enough for the pool to want more sockets.
  it('16 concurrent requests through the default pool never hold more than 4 connections', async () => {
    const sim = await startSim({ latencyMs: 20 });
    const http = httpClient(sim);
    await get(http);
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(http)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(sim.stats.connectionsMaxOpen).toBe(4);
    expect(sim.stats.connectionsOpened).toBe(4);
  });

  it('connections: 2 never holds more than 2', async () => {
    const sim = await startSim({ latencyMs: 20 });
    const http = httpClient(sim, 2);
    await get(http);
    await Promise.all(Array.from({ length: 16 }, () => get(http)));
    expect(sim.stats.connectionsMaxOpen).toBe(2);
  });

  it('the Hikvision client keeps the same default cap', async () => {
    const sim = await startSim({ latencyMs: 20 });
    const client = new HikvisionClient({ host: '127.0.0.1', port: sim.port, username: 'admin', password: 'password' });
    open.push(client);
    await client.deviceInfo();
    await Promise.all(Array.from({ length: 16 }, () => client.deviceInfo()));
    expect(sim.stats.connectionsMaxOpen).toBe(4);
  });
});

describe('jitter fault', () => {
  it('requests still succeed and the simulator waits a different time for each', async () => {
    const sim = await startSim({ latencyMs: 2, jitterMs: 20 });
    const http = httpClient(sim);
    const answers = await Promise.all(Array.from({ length: 12 }, () => get(http)));
    expect(answers.every((r) => r.status === 200)).toBe(true);
    const delays = sim.requestLog.map((entry) => entry.delayMs);
    expect(delays).toHaveLength(13); // one 401 at first contact
    expect(delays.every((d) => d >= 2 && d < 22)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
    expect(sim.stats).toMatchObject({ unauthorized: 1, failedLogins: 0, replays: 0 });
  });

  it('without jitter every request waits exactly the latency', async () => {
    const sim = await startSim({ latencyMs: 3 });
    const http = httpClient(sim);
    await Promise.all(Array.from({ length: 4 }, () => get(http)));
    expect(new Set(sim.requestLog.map((entry) => entry.delayMs))).toEqual(new Set([3]));
  });
});
