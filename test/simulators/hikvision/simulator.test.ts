import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

const run = promisify(execFile);
const sims: HikvisionSimulator[] = [];
afterEach(async () => {
  for (const sim of sims.splice(0)) await sim.stop();
});

async function start(options: HikvisionSimulatorOptions = {}): Promise<HikvisionSimulator> {
  const sim = new HikvisionSimulator(options);
  await sim.start();
  sims.push(sim);
  return sim;
}

async function curl(args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

/** One raw request with a hand-made Authorization header (for replay checks). */
function raw(sim: HikvisionSimulator, path: string, authorization?: string): Promise<{ status: number; challenge: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: sim.port, path, headers: authorization === undefined ? {} : { authorization } }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? '') }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('HikvisionSimulator', () => {
  it('accepts curl --digest with the right password and rejects a wrong one', async () => {
    const sim = await start();
    const ok = await curl(['--digest', '-u', 'admin:password', `${sim.url}/ISAPI/System/deviceInfo`]);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<DeviceInfo');
    const bad = await curl(['--digest', '-u', 'admin:wrong', `${sim.url}/ISAPI/System/deviceInfo`]);
    expect(bad.status).toBe(401);
    expect(sim.stats.failedLogins).toBe(1);
  });

  it('challenges in the camera spelling', async () => {
    const sim = await start();
    const { status, challenge } = await raw(sim, '/ISAPI/System/deviceInfo');
    expect(status).toBe(401);
    expect(challenge).toMatch(/^Digest qop="auth", realm="IP Camera\(E1518\)", nonce="[0-9a-f]+", stale="FALSE", opaque=""$/);
  });

  it('refuses a replayed nc but accepts out-of-order counts', async () => {
    const sim = await start();
    const { createHash } = await import('node:crypto');
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const nonce = /nonce="([^"]+)"/.exec((await raw(sim, '/ISAPI/System/deviceInfo')).challenge)![1]!;
    const sign = (nc: string) => {
      const ha1 = md5('admin:IP Camera(E1518):password');
      const response = md5(`${ha1}:${nonce}:${nc}:abc:auth:${md5('GET:/ISAPI/System/deviceInfo')}`);
      return `Digest username="admin", realm="IP Camera(E1518)", nonce="${nonce}", uri="/ISAPI/System/deviceInfo", response="${response}", opaque="", qop=auth, nc=${nc}, cnonce="abc"`;
    };
    expect((await raw(sim, '/ISAPI/System/deviceInfo', sign('00000002'))).status).toBe(200);
    expect((await raw(sim, '/ISAPI/System/deviceInfo', sign('00000001'))).status).toBe(200);
    expect((await raw(sim, '/ISAPI/System/deviceInfo', sign('00000002'))).status).toBe(401);
    expect(sim.stats.replays).toBe(1);
    expect(sim.stats.failedLogins).toBe(0);
  });

  it('locks the client out after N failed logins, even with the right password', async () => {
    const sim = await start({ lockoutAfter: 3 });
    for (let i = 0; i < 3; i++) await curl(['--digest', '-u', 'admin:wrong', `${sim.url}/ISAPI/System/deviceInfo`]);
    const locked = await curl(['--digest', '-u', 'admin:password', `${sim.url}/ISAPI/System/deviceInfo`]);
    expect(locked.status).toBe(401);
    expect(locked.body).toContain('<lockStatus>lock</lockStatus>');
    expect(sim.stats.lockedOut).toBeGreaterThan(0);
  });

  it('speaks Basic only when asked', async () => {
    const sim = await start({ basicOnly: true });
    expect((await raw(sim, '/ISAPI/System/deviceInfo')).challenge).toBe('Basic realm="IP Camera(E1518)"');
    expect((await curl(['--basic', '-u', 'admin:password', `${sim.url}/ISAPI/System/deviceInfo`])).status).toBe(200);
  });

  it('validates overlay XML strictly and enforces the text limit', async () => {
    const sim = await start({ maxTextLength: 5 });
    const put = (body: string) =>
      curl(['--digest', '-u', 'admin:password', '-X', 'PUT', '--data-binary', body, `${sim.url}/ISAPI/System/Video/inputs/channels/1/overlays/text/1`]);
    const malformed = await put('<TextOverlay><id>1</id><displayText>a & b</displayText></TextOverlay>');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toContain('badXmlFormat');
    expect((await put('<TextOverlay><id>1</id><displayText>too long</displayText></TextOverlay>')).body).toContain('badParameters');
    const ok = await put('<TextOverlay xmlns="http://www.hikvision.com/ver20/XMLSchema"><id>1</id><enabled>true</enabled><displayText>a &amp; b</displayText></TextOverlay>');
    expect(ok.status).toBe(200);
    expect(sim.overlay(1, 1)).toMatchObject({ text: 'a & b', enabled: true });
  });

  it('streams alerts as multipart with heartbeats', async () => {
    const sim = await start({ heartbeatMs: 20 });
    const controller = new AbortController();
    const text = run('curl', ['-s', '-N', '--max-time', '5', '--digest', '-u', 'admin:password', `${sim.url}/ISAPI/Event/notification/alertStream`], { signal: controller.signal }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
    await sim.waitForAlertStreams(1);
    sim.triggerEvent({ type: 'VMD' });
    await new Promise((resolve) => setTimeout(resolve, 60)); // a few heartbeats
    await sim.stop();
    const { stdout } = await text;
    expect(stdout).toContain('--boundary\r\nContent-Type: application/xml; charset="UTF-8"\r\nContent-Length: ');
    expect(stdout).toContain('<eventType>VMD</eventType>');
    expect(stdout).toContain('<eventType>videoloss</eventType>');
  });
});
