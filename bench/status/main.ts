/**
 * bench/status: how fast the status page stays with many cameras. A status server whose model holds N
 * cameras (each with a snapshot) is opened in headless Chromium; measured: the full render when the
 * page connects, and the time from a camera change on the server to the tile updated in the page
 * (patch -> SSE -> DOM), p50/p95 over many changes; also the server's time to build the whole state.
 * Baseline in the same run: the same with one camera.
 */
import { chromium } from 'playwright-core';
import { bridgeTopics, StatusModel, StatusServer } from 'camflow-mqtt-bridge';
import type { CameraConfig } from '@camflow/core';

const CHANGES = 60;
const JPEG = Buffer.alloc(40_000, 0x80);

function cameras(n: number): CameraConfig[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cam${i}`,
    type: 'hikvision',
    host: '127.0.0.1',
    tls: false,
    username: 'admin',
    password: 'x',
    channel: 1,
    timeout: 5000,
    connections: 4,
    auth_backoff: 300_000,
    allow_basic_over_http: false,
    overlays: [],
  }));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.ceil((sorted.length * p) / 100) - 1)] ?? 0) * 10) / 10;
}

async function measure(n: number, browser: Awaited<ReturnType<typeof chromium.launch>>): Promise<Record<string, number>> {
  const topics = bridgeTopics('camflow', 'homeassistant');
  const model = new StatusModel({ cameras: cameras(n), topics });
  for (let i = 0; i < n; i++) {
    const t = topics.camera(`cam${i}`);
    model.observe(t.availability, 'online');
    model.observe(t.camera, JPEG);
    model.observe(t.overlayMs, String(20 + (i % 30)));
  }
  const stateStart = performance.now();
  for (let i = 0; i < 20; i++) JSON.stringify(model.snapshot());
  const stateMs = (performance.now() - stateStart) / 20;
  const server = new StatusServer({ model, host: '127.0.0.1', port: 0 });
  await server.start();
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await page.goto(server.url ?? '');
    // Runs in the page: the browser's globals, not Node's.
    await page.waitForFunction((count) => (globalThis as any).document.querySelectorAll('.tile').length === count && (globalThis as any).camflowStatus.fullRenderMs !== undefined, n);
    const fullRenderMs = await page.evaluate(() => (globalThis as any).camflowStatus.fullRenderMs as number);
    const latencies: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const id = `cam${i % n}`;
      const ms = 100 + i;
      const waiting = page.waitForFunction(([camera, text]) => (globalThis as any).document.querySelector(`.tile[data-camera="${camera}"] .facts`)?.textContent?.includes(text) === true, [id, `overlay ${ms} ms`] as const, { polling: 'raf' });
      const started = performance.now();
      model.observe(topics.camera(id).overlayMs, String(ms));
      await waiting;
      latencies.push(performance.now() - started);
    }
    return {
      full_render_ms: Math.round(fullRenderMs * 10) / 10,
      update_p50_ms: percentile(latencies, 50),
      update_p95_ms: percentile(latencies, 95),
      state_build_ms: Math.round(stateMs * 100) / 100,
    };
  } finally {
    await page.close();
    await server.stop();
  }
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
try {
  process.stderr.write('status page with 1 camera (baseline)\n');
  const one = await measure(1, browser);
  process.stderr.write('status page with 100 cameras\n');
  const hundred = await measure(100, browser);
  process.stdout.write(`${JSON.stringify({ bench: 'status', cameras: 100, ...hundred, baseline_1_camera: one, flush_ms: 50 })}\n`);
} finally {
  await browser.close();
}
