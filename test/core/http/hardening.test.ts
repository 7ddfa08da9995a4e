import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, CameraHttpClient, HikvisionClient, parseWwwAuthenticate, pickChallenge } from '@camflow/core';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)?.call(item);
});

async function sim(options: HikvisionSimulatorOptions = {}): Promise<HikvisionSimulator> {
  const simulator = new HikvisionSimulator(options);
  await simulator.start();
  open.push(simulator);
  return simulator;
}

const get = (http: CameraHttpClient) => http.request({ method: 'GET', path: '/ISAPI/System/deviceInfo' });

describe('Basic authentication over plain HTTP', () => {
  it('is refused without sending the password, and without counting as a failed login', async () => {
    const camera = await sim({ basicOnly: true });
    const http = new CameraHttpClient({ origin: camera.url, username: 'admin', password: 'password', name: 'porch' });
    open.push(http);
    const error = await get(http).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toBe(
      'porch: the camera asks for Basic authentication over plain HTTP, which would send the password readable; ' +
        'use HTTPS, switch the camera to digest authentication, or set allow_basic_over_http: true',
    );
    // One unsigned request, the 401, and nothing with the password in it.
    expect(camera.stats).toMatchObject({ requests: 1, unauthorized: 1, failedLogins: 0 });
  });

  it('is answered when the camera is configured for it', async () => {
    const camera = await sim({ basicOnly: true });
    const http = new CameraHttpClient({ origin: camera.url, username: 'admin', password: 'password', allowBasicOverHttp: true });
    open.push(http);
    expect((await get(http)).status).toBe(200);
    expect((await get(http)).status).toBe(200);
    expect(camera.stats.unauthorized).toBe(1);
  });
});

describe('choosing a digest challenge', () => {
  it('takes MD5 with qop=auth over SHA-256 offered only with auth-int', () => {
    const picked = pickChallenge(
      parseWwwAuthenticate(['Digest realm="cam", nonce="a", algorithm=SHA-256, qop="auth-int"', 'Digest realm="cam", nonce="b", algorithm=MD5, qop="auth"']),
    );
    expect(picked?.params).toMatchObject({ nonce: 'b', algorithm: 'MD5' });
  });

  it('still prefers SHA-256 when it comes with qop=auth', () => {
    const picked = pickChallenge(
      parseWwwAuthenticate(['Digest realm="cam", nonce="b", algorithm=MD5, qop="auth"', 'Digest realm="cam", nonce="a", algorithm=SHA-256, qop="auth,auth-int"']),
    );
    expect(picked?.params['algorithm']).toBe('SHA-256');
  });
});

describe('a slow link', () => {
  it('does not count the wait behind the first-contact challenge against a request (700 ms a round trip, 1.5 s timeout)', async () => {
    const camera = await sim({ latencyMs: 700 });
    const http = new CameraHttpClient({ origin: camera.url, username: 'admin', password: 'password', timeoutMs: 1500 });
    open.push(http);
    // The first request pays the 401 and the signed retry (1.4 s); the others wait for that verdict,
    // then need their own round trip.
    const answers = await Promise.all(Array.from({ length: 4 }, () => get(http)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(camera.stats.unauthorized).toBe(1);
  });
});

describe('overlay text', () => {
  it('has control characters removed, so the document stays well-formed XML', async () => {
    const camera = await sim();
    const client = new HikvisionClient({ host: '127.0.0.1', port: camera.port, username: 'admin', password: 'password' });
    open.push(client);
    await client.setTextOverlay(1, { id: 1, text: 'Gate\u0001 open\u001b[0m\ttab' });
    expect(camera.overlay(1, 1)?.text).toBe('Gate open[0m\ttab');
  });
});
