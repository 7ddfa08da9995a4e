/**
 * Buttons that run as pipeline jobs, end to end over MQTT: "Download recordings" on a Hikvision camera
 * (its recordings of the last hours become download jobs: progress on bridge/jobs, files on disk, the
 * Last clip sensor), a JSON range on download/set, and "Record clip" on an RTSP camera (a record job;
 * Recording on while it runs, the clip announced once whole).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPipeline, parseConfig } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import { Bridge } from 'camflow-mqtt-bridge';
import { TestMqttClient } from '../helpers/mqtt.js';
import { startRtspServer } from '../helpers/rtsp-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function files(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) out.push(entry.name);
  return out;
}

describe('pipeline buttons on the MQTT bridge', () => {
  it('downloads the last hours of a Hikvision camera, a JSON range, and records an RTSP clip, all as jobs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-bridge-jobs-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Six 10-minute recordings ending 5 minutes ago, 200 kB each.
    const nvr = new HikvisionSimulator({ recordingCount: 6, recordingBytes: 200_000, recordingsEnd: new Date(Date.now() - 5 * 60_000) });
    await nvr.start();
    cleanups.push(() => nvr.stop());
    const rtsp = await startRtspServer();
    cleanups.push(() => rtsp.stop());
    const config = parseConfig(
      [
        'mqtt:',
        '  embedded: { port: 0 }',
        '  download_span: 30m',
        'pipeline:',
        `  data_dir: ${join(dir, 'data')}`,
        `  media_dir: ${join(dir, 'media')}`,
        'cameras:',
        `  - { id: nvr, type: hikvision, host: 127.0.0.1, port: ${nvr.port}, username: admin, password: password, time_zone: utc }`,
        `  - { id: door, type: rtsp, url: "${rtsp.url}", username: admin, password: "${rtsp.password}" }`,
      ].join('\n'),
    );
    const pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras });
    cleanups.push(() => pipeline.close(2000));
    await pipeline.engine.startWorkers();
    const bridge = new Bridge({ config, pipeline: pipeline.engine });
    await bridge.start();
    cleanups.push(() => bridge.stop());
    const ha = await TestMqttClient.connect(bridge.brokerUrl ?? '', ['homeassistant/device/+/config', 'camflow/+/last_clip', 'camflow/+/recording', 'camflow/bridge/jobs', 'camflow/bridge/error']);
    cleanups.push(() => ha.close());

    const nvrConfig = JSON.parse((await ha.waitFor('homeassistant/device/camflow_nvr/config')).text) as { cmps: Record<string, Record<string, unknown>> };
    expect(nvrConfig.cmps['download_button']).toMatchObject({ p: 'button', command_topic: 'camflow/nvr/download/press' });
    expect(nvrConfig.cmps['last_clip']).toMatchObject({ p: 'sensor', state_topic: 'camflow/nvr/last_clip' });
    const doorConfig = JSON.parse((await ha.waitFor('homeassistant/device/camflow_door/config', (m) => m.text.includes('record_button'))).text) as { cmps: Record<string, unknown> };
    expect(Object.keys(doorConfig.cmps)).toEqual(expect.arrayContaining(['camera', 'snapshot_button', 'record_button', 'recording', 'last_clip']));

    // The last 30 minutes: the recordings that ended in them (three), as download jobs.
    await ha.publish('camflow/nvr/download/press', 'PRESS');
    await expect.poll(async () => (await files(join(dir, 'media', 'recordings'))).filter((f) => !f.endsWith('.part')).length, { timeout: 30_000 }).toBe(3);
    const clip = JSON.parse((await ha.waitFor('camflow/nvr/last_clip')).text) as { path: string; bytes: number; job: string };
    expect(clip).toMatchObject({ job: 'download', bytes: 200_000 });
    expect(existsSync(clip.path)).toBe(true);
    expect(ha.on('camflow/bridge/jobs').some((m) => (JSON.parse(m.text) as { running: { type: string }[] }).running.some((j) => j.type === 'download'))).toBe(true);

    // A range as JSON: everything of the last two hours; those already on disk are skipped.
    await ha.publish('camflow/nvr/download/set', JSON.stringify({ from: new Date(Date.now() - 2 * 3600_000).toISOString() }));
    await expect.poll(async () => (await files(join(dir, 'media', 'recordings'))).filter((f) => !f.endsWith('.part')).length, { timeout: 30_000 }).toBe(6);
    await ha.publish('camflow/nvr/download/set', '{"from": "yesterday"}');
    expect(JSON.parse((await ha.waitFor('camflow/bridge/error')).text)).toMatchObject({ topic: 'camflow/nvr/download/set' });

    // Record clip on the RTSP camera: Recording on, then off with the clip on disk.
    await ha.publish('camflow/door/record/press', '2');
    await ha.waitFor('camflow/door/recording', (m) => m.text === 'ON', { timeoutMs: 10_000 });
    const doorClip = JSON.parse((await ha.waitFor('camflow/door/last_clip', () => true, { timeoutMs: 30_000 })).text) as { path: string; duration_s: number; job: string };
    expect(doorClip.job).toBe('record');
    expect(existsSync(doorClip.path)).toBe(true);
    expect(doorClip.duration_s).toBeGreaterThan(1.4);
    await ha.waitFor('camflow/door/recording', (m) => m.text === 'OFF', { fromIndex: ha.on('camflow/door/recording').findIndex((m) => m.text === 'ON'), timeoutMs: 10_000 });
  }, 120_000);
});
