/**
 * The status page of a real `camflow bridge` process in headless Chromium (Debian's chromium through
 * playwright-core): camera tiles with their snapshots, a job added from the CLI moving to completed,
 * a motion event in the timeline, no console errors. Then the HTTP API's refusals: no token off
 * loopback, foreign Host names, `..` in media paths.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HikvisionSimulator } from '@camflow/simulators';
import { bridgeTopics, StatusModel, StatusServer } from 'camflow-mqtt-bridge';
import { camflowBin, repoRoot, runCamflow, startUntil } from '../helpers/cli.js';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const cleanups: (() => Promise<void>)[] = [];
let browser: Browser;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-status-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('the status page of camflow bridge', () => {
  it('shows every camera with its snapshot, a CLI job moving to completed, a motion event and its detection, with no console errors', async () => {
    const dir = await tempDir();
    // The gate camera sees people (a real photo), so its motion event yields a detection.
    const people = readFileSync(new URL('../fixtures/detect/people.jpg', import.meta.url));
    const sims = [new HikvisionSimulator({ deviceName: 'Gate', snapshot: people }), new HikvisionSimulator({ deviceName: 'Yard', latencyMs: 400 })];
    for (const sim of sims) {
      await sim.start();
      cleanups.push(() => sim.stop());
    }
    const config = join(dir, 'camflow.yaml');
    const camera = (id: string, sim: HikvisionSimulator): string =>
      `  - id: ${id}\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: password\n    timeout: 5s\n`;
    await writeFile(
      config,
      `mqtt:\n  embedded: { port: 0 }\n  snapshot_interval: 2s\nstatus:\n  port: 0\ndetect:\n  threads: 1\n  cameras:\n    gate: { labels: [person], frames: 1 }\ncameras:\n${camera('gate', sims[0]!)}${camera('yard', sims[1]!)}`,
    );
    const { child, stdout } = await startUntil(process.execPath, [camflowBin, 'bridge', '--config', config], 'status page: ', cleanups);
    await expect.poll(() => /status page: (http:\/\/\S+)/.exec(stdout())?.[1]).toBeDefined();
    const url = /status page: (http:\/\/\S+)/.exec(stdout())![1]!;

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    cleanups.push(() => page.close());
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    await page.goto(url);
    await page.waitForSelector('#live.on');
    // Every camera's tile, each with a picture that really loaded.
    await expect.poll(() => page.locator('.tile').count(), { timeout: 20_000 }).toBe(2);
    for (const id of ['gate', 'yard']) {
      await expect
        .poll(() => page.locator(`.tile[data-camera="${id}"] img`).evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0).catch(() => false), { timeout: 20_000 })
        .toBe(true);
      await expect.poll(() => page.locator(`.tile[data-camera="${id}"]`).getAttribute('data-online'), { timeout: 20_000 }).toBe('true');
    }

    // Record every state and progress the job row goes through.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seenJobs: string[] }).seenJobs = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('#jobs tr[data-job]')) seen.push(`${row.dataset['state']}:${row.dataset['progress']}`);
      }).observe(document.getElementById('jobs')!, { subtree: true, attributes: true, childList: true });
    });
    const added = await runCamflow(['jobs', 'add', 'snapshot', '--camera', 'yard', '--config', config]);
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    const row = page.locator(`#jobs tr[data-job="${id}"]`);
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 30_000 }).toBe('completed');
    expect(await row.getAttribute('data-progress')).toBe('100');
    const seen = await page.evaluate(() => (window as unknown as { seenJobs: string[] }).seenJobs);
    // The bar moved: the job was seen running below 100 % before it completed.
    expect(seen.some((s) => s.startsWith('active:') && Number(s.split(':')[1]) < 100)).toBe(true);
    // The finished snapshot is in the timeline, with its picture from the media folder.
    await expect.poll(() => page.locator('#timeline li[data-kind="snapshot"] img').count(), { timeout: 10_000 }).toBeGreaterThan(0);

    sims[0]!.triggerEvent({ type: 'VMD', state: 'active' });
    await expect.poll(() => page.locator('#timeline li[data-kind="event"]').first().textContent(), { timeout: 10_000 }).toContain('gate vmd');
    await expect.poll(() => page.locator('.tile[data-camera="gate"] .badge.motion').count(), { timeout: 10_000 }).toBe(1);
    // The detection the motion started, with its annotated picture from the media folder.
    const detection = page.locator('#timeline li[data-kind="detection"]').first();
    await expect.poll(() => detection.textContent().catch(() => ''), { timeout: 60_000 }).toContain('gate person');
    await expect.poll(() => detection.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0).catch(() => false), { timeout: 10_000 }).toBe(true);

    await mkdir(join(repoRoot, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(repoRoot, 'test-artifacts', 'status-page.png'), fullPage: true });
    const html = await page.content();
    expect(html).not.toContain('password');
    expect(consoleErrors).toEqual([]);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  }, 120_000);
});

/** GET with a given Host header (fetch does not let a test set it). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the status page of camflow worker', () => {
  it('is served too, with the job queue of the pipeline it works', async () => {
    const dir = await tempDir();
    const config = join(dir, 'camflow.yaml');
    await writeFile(config, 'status:\n  port: 0\ncameras: []\n');
    const child = spawn(process.execPath, [camflowBin, 'worker', '--config', config], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await expect.poll(() => /status page (http:\/\/\S+)/.exec(stderr)?.[1], { timeout: 20_000 }).toBeDefined();
    const url = /status page (http:\/\/\S+)/.exec(stderr)![1]!;
    const state = (await (await fetch(`${url}api/state`)).json()) as { pipeline: string; cameras: unknown[] };
    expect(state).toMatchObject({ pipeline: 'sqlite', cameras: [] });
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  });
});

describe('status page config', () => {
  it('refuses a status page off loopback without a token, in one line naming the key', async () => {
    const dir = await tempDir();
    const config = join(dir, 'camflow.yaml');
    await writeFile(config, 'status:\n  host: 0.0.0.0\ncameras: []\n');
    const result = await runCamflow(['config', 'check', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('status.token');
    expect(result.stderr).toContain('not loopback');
    await writeFile(config, 'status:\n  host: 0.0.0.0\n  token: ${STATUS_TOKEN}\ncameras: []\n');
    const ok = await runCamflow(['config', 'check', config], { env: { STATUS_TOKEN: 'a-long-enough-status-token' } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout + ok.stderr).not.toContain('a-long-enough-status-token');
  });
});

describe('the status API', () => {
  async function server(options: { host: string; token?: string; mediaDir?: string }): Promise<string> {
    const model = new StatusModel({ cameras: [], topics: bridgeTopics('camflow', 'homeassistant') });
    const status = new StatusServer({ model, port: 0, ...options });
    await status.start();
    cleanups.push(() => status.stop());
    return `http://127.0.0.1:${new URL(status.url!).port}`;
  }

  it('bound off loopback, refuses every request without the token and takes it as a bearer or once in the link', async () => {
    const base = await server({ host: '0.0.0.0', token: 'a-long-enough-status-token' });
    expect((await get(`${base}/api/state`)).status).toBe(401);
    expect((await get(`${base}/api/live`)).status).toBe(401);
    expect((await get(`${base}/`)).status).toBe(401);
    expect((await get(`${base}/api/state`, { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    expect((await get(`${base}/api/jobs/1/cancel`, { 'x-camflow': '1' }, 'POST')).status).toBe(401);
    expect((await get(`${base}/api/state`, { authorization: 'Bearer a-long-enough-status-token' })).status).toBe(200);
    const link = await get(`${base}/?token=a-long-enough-status-token`);
    expect(link.status).toBe(200);
    const cookie = String(link.headers['set-cookie']).split(';')[0]!;
    expect(cookie).toMatch(/^camflow_status=/);
    expect((await get(`${base}/api/state`, { cookie })).status).toBe(200);
  });

  it('on loopback without a token, answers loopback names only (no DNS rebinding) and asks changes for its header', async () => {
    const base = await server({ host: '127.0.0.1' });
    expect((await get(`${base}/api/state`)).status).toBe(200);
    expect((await get(`${base}/api/state`, { host: 'evil.example:8099' })).status).toBe(403);
    expect((await get(`${base}/api/jobs/1/cancel`, {}, 'POST')).status).toBe(403);
    expect((await get(`${base}/api/jobs/1/cancel`, { 'x-camflow': '1' }, 'POST')).status).toBe(409);
  });

  it('serves media from the media folder only: no .., no encoded .., no symlink out', async () => {
    const media = await tempDir();
    const outside = await tempDir();
    await mkdir(join(media, 'clips'), { recursive: true });
    await writeFile(join(media, 'clips', 'a.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    await writeFile(join(outside, 'secret.jpg'), 'secret');
    await symlink(join(outside, 'secret.jpg'), join(media, 'clips', 'link.jpg'));
    const base = await server({ host: '127.0.0.1', mediaDir: media });
    expect((await get(`${base}/media/clips/a.jpg`)).status).toBe(200);
    for (const path of ['/media/../../etc/passwd.jpg', '/media/%2e%2e/%2e%2e/etc/x.jpg', '/media/clips/..%2f..%2fx.jpg', '/media/%2Fetc%2Fx.jpg', '/media/clips/link.jpg']) {
      const answer = await get(`${base}${path}`);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.body, path).not.toContain('secret');
    }
  });
});
