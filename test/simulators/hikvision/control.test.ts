/**
 * `camflow-sim hikvision` as a real process with its loopback control endpoint: an event asked for
 * there goes out on the camera's alert stream like a real one, as core's client sees it.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type CameraEvent, HikvisionClient } from '@camflow/core';

const simBin = fileURLToPath(new URL('../../../simulators/bin/camflow-sim.js', import.meta.url));
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startSims(): Promise<{ cameras: number[]; control: number }> {
  const child = spawn(process.execPath, [simBin, 'hikvision', '--count', '2'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CAMFLOW_SIM_PASSWORD: 'ctl-Pa55' } });
  cleanups.push(async () => {
    if (child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/control on http/.test(output)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`camflow-sim exited ${code}: ${output}`)));
  });
  const cameras = [...output.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
  const control = Number(/control on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
  return { cameras, control };
}

describe('camflow-sim hikvision control endpoint', () => {
  it('makes camera 2 report a line crossing, and camera 1 a 4-second motion, on their alert streams', async () => {
    const { cameras, control } = await startSims();
    expect(cameras).toHaveLength(2);
    const client = new HikvisionClient({ host: '127.0.0.1', port: cameras[1]!, username: 'admin', password: 'ctl-Pa55' });
    cleanups.push(() => client.close());
    const abort = new AbortController();
    cleanups.push(async () => abort.abort());
    const seen: CameraEvent[] = [];
    const reading = (async () => {
      for await (const event of client.events({ signal: abort.signal })) seen.push(event);
    })().catch(() => undefined);
    await expect.poll(() => client.eventStreamStatus.state, { timeout: 10_000 }).toBe('connected');
    const answer = await fetch(`http://127.0.0.1:${control}/event?camera=2&type=linedetection&state=active`, { method: 'POST' });
    expect(answer.status).toBe(200);
    await expect.poll(() => seen.map((e) => `${e.type}:${e.state}`), { timeout: 10_000 }).toContain('linedetection:active');

    const listing = (await (await fetch(`http://127.0.0.1:${control}/`)).json()) as { cameras: unknown[] };
    expect(listing.cameras).toHaveLength(2);
    expect((await fetch(`http://127.0.0.1:${control}/event?camera=3&type=vmd`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`http://127.0.0.1:${control}/event?camera=1&type=explode`, { method: 'POST' })).status).toBe(400);
    abort.abort();
    await reading;
  });
});
