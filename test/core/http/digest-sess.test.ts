import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { AuthError, CameraHttpClient } from '@camflow/core';
import { HikvisionSimulator, type SimDigestAlgorithm } from '@camflow/simulators';

const run = promisify(execFile);
const open: { close?: () => Promise<void>; stop?: () => Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await (item.close ?? item.stop)?.call(item);
});

async function setup(algorithm: SimDigestAlgorithm, password = 'password') {
  const sim = new HikvisionSimulator({ algorithm });
  await sim.start();
  open.push(sim);
  const http = new CameraHttpClient({ origin: sim.url, username: 'admin', password });
  open.push(http);
  return { sim, http };
}

const get = (http: CameraHttpClient) => http.request({ method: 'GET', path: '/ISAPI/System/deviceInfo?format=xml' });

/** curl's own digest (a client not written here), with the status and the Authorization it sent. */
async function curlDigest(url: string, password: string): Promise<{ status: number; authorization: string }> {
  const { stdout, stderr } = await run('curl', ['-s', '-v', '-o', '/dev/null', '-w', '%{http_code}', '--digest', '-u', `admin:${password}`, url]);
  const authorization = stderr.split('\n').find((line) => line.startsWith('> Authorization: ')) ?? '';
  return { status: Number(stdout), authorization };
}

describe.each(['MD5-sess', 'SHA-256', 'SHA-256-sess'] as const)('digest %s against the simulator', (algorithm) => {
  it('signs with the challenged algorithm: one 401 at first contact, none after, echoing algorithm=', async () => {
    const { sim, http } = await setup(algorithm);
    const first = await Promise.all(Array.from({ length: 6 }, () => get(http)));
    expect(first.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    for (let i = 0; i < 3; i++) expect((await get(http)).status).toBe(200);
    // -sess binds HA1 to the nonce: a stale nonce means a new HA1 on the retry.
    sim.expireNonces();
    expect((await get(http)).status).toBe(200);
    expect(sim.stats).toMatchObject({ unauthorized: 2, stale: 1, failedLogins: 0, replays: 0, requests: 6 + 1 + 3 + 2 });
  });

  it('a wrong password is an AuthError after two attempts', async () => {
    const { sim, http } = await setup(algorithm, 'wrong');
    await expect(get(http)).rejects.toBeInstanceOf(AuthError);
    expect(sim.stats).toMatchObject({ requests: 2, failedLogins: 1 });
  });

  it('the simulator agrees with curl --digest', async () => {
    const { sim } = await setup(algorithm);
    const ok = await curlDigest(`${sim.url}/ISAPI/System/deviceInfo`, 'password');
    expect(ok.status).toBe(200);
    expect(ok.authorization).toContain(`algorithm=${algorithm}`);
    expect(await curlDigest(`${sim.url}/ISAPI/System/deviceInfo`, 'wrong')).toMatchObject({ status: 401 });
    expect(sim.stats.failedLogins).toBe(1);
  });
});
