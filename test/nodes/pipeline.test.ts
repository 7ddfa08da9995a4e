/**
 * Jobs in Node-RED: while a camflow camera is deployed, the Node-RED process works the pipeline's jobs
 * (SQLite in <userDir>/camflow). A job added from outside (the CLI, here core's engine on the same
 * file) for that camera (by its config node id) is done by Node-RED.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CameraServices, CpuPool, JobRegistry, noopLogger, snapshotJob, SqliteEngine } from '@camflow/core';
import { HikvisionSimulator } from '@camflow/simulators';
import cameraNode from 'node-red-contrib-camflow/dist/camera/camera.js';
import downloadNode from 'node-red-contrib-camflow/dist/download/download.js';
import { createDownloadJob } from '@camflow/core';
import { helper, messages, nodeRedUserDir, onTab } from '../helpers/nodered.js';

let sim: HikvisionSimulator;
let dir: string;
beforeEach(async () => {
  sim = new HikvisionSimulator({ password: 'Pipe-Pa55', recordingCount: 2, recordingsEnd: new Date(Date.now() - 60_000) });
  await sim.start();
  dir = await mkdtemp(path.join(tmpdir(), 'camflow-nr-jobs-'));
});
afterEach(async () => {
  await helper.unload();
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the job pipeline in Node-RED', () => {
  it('works a snapshot job for a deployed camera, named by its config node id', async () => {
    await helper.load([cameraNode], onTab([{ id: 'gate-cam', type: 'camflow-camera', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), version: 2 }], ['gate-cam']), {
      'gate-cam': { username: 'admin', password: 'Pipe-Pa55' },
    });
    // Another process adding the job: an engine on the same file, without workers of its own.
    const services = new CameraServices({ cameras: [], mediaDir: dir, dataDir: dir, logger: noopLogger, pool: () => new CpuPool() });
    const engine = new SqliteEngine({ registry: new JobRegistry().register(snapshotJob), services, logger: noopLogger, file: path.join(nodeRedUserDir, 'camflow', 'jobs.sqlite') });
    try {
      const job = await engine.add('snapshot', { camera: 'gate-cam' });
      await expect.poll(async () => (await engine.get(job.id))?.state, { timeout: 15_000 }).toBe('completed');
      const result = (await engine.get(job.id))?.result as { path: string };
      expect(result.path.startsWith(path.join(nodeRedUserDir, 'camflow', 'media'))).toBe(true);
      expect((await readFile(result.path)).subarray(0, 2).toString('hex')).toBe('ffd8');
    } finally {
      await engine.stop(0);
    }
  });

  it('camflow-download fetches into its folder through download jobs, which the CLI can see', async () => {
    const folder = path.join(dir, 'clips');
    await helper.load(
      [cameraNode, downloadNode],
      onTab(
        [
          { id: 'nvr-cam', type: 'camflow-camera', kind: 'hikvision', host: '127.0.0.1', port: String(sim.port), version: 2 },
          { id: 'dl', type: 'camflow-download', camera: 'nvr-cam', folder, hours: 1, version: 1, wires: [['out']] },
          { id: 'out', type: 'helper' },
        ],
        ['nvr-cam'],
      ),
      { 'nvr-cam': { username: 'admin', password: 'Pipe-Pa55' } },
    );
    const got = messages(helper.getNode('out'), 2);
    helper.getNode('dl').receive({ payload: 'go' });
    const files = await got;
    for (const msg of files) {
      expect(msg.payload.startsWith(folder)).toBe(true);
      expect((await readFile(msg.payload as string)).length).toBe(msg.file.size);
    }
    const services = new CameraServices({ cameras: [], mediaDir: dir, dataDir: dir, logger: noopLogger, pool: () => new CpuPool() });
    const engine = new SqliteEngine({ registry: new JobRegistry().register(createDownloadJob()), services, logger: noopLogger, file: path.join(nodeRedUserDir, 'camflow', 'jobs.sqlite') });
    try {
      const jobs = await engine.list({ type: 'download', camera: 'nvr-cam' });
      expect(jobs.filter((j) => j.state === 'completed').map((j) => (j.params as { path: string }).path).sort()).toEqual(files.map((m) => m.payload as string).sort());
    } finally {
      await engine.stop(0);
    }
  });
});
