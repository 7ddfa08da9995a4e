/**
 * A simulated NVR (strict digest) and a pipeline from a real camflow.yaml pointing at it, in a
 * temporary folder: what the recordings tests start from.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createPipeline, type Job, type JobEngine, loadConfig, type LogRecord, type Pipeline } from '@camflow/core';
import { HikvisionSimulator, type HikvisionSimulatorOptions } from '@camflow/simulators';

export type Cleanup = (() => Promise<void>)[];

export interface Rig {
  dir: string;
  file: string;
  media: string;
  sim: HikvisionSimulator;
  pipeline: Pipeline;
  logs: LogRecord[];
}

export interface RigOptions {
  sim?: HikvisionSimulatorOptions;
  /** Extra lines of the `pipeline:` section (indented by two). */
  pipeline?: string;
  /** Extra lines of the camera (indented by four). */
  camera?: string;
  /** Start workers in this process (default true). */
  workers?: boolean;
}

export async function recordingsRig(cleanup: Cleanup, options: RigOptions = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-rec-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const sim = new HikvisionSimulator({ recordingCount: 3, nvr: true, ...options.sim });
  await sim.start();
  cleanup.push(() => sim.stop());
  const file = join(dir, 'camflow.yaml');
  const media = join(dir, 'media');
  await writeFile(
    file,
    `cameras:\n  - id: nvr\n    type: hikvision\n    host: 127.0.0.1\n    port: ${sim.port}\n    username: admin\n    password: password\n    time_zone: utc\n${options.camera ?? ''}` +
      `pipeline:\n  data_dir: ${join(dir, 'data')}\n  media_dir: ${media}\n  retry_delay: 50ms\n${options.pipeline ?? ''}`,
  );
  const config = await loadConfig(file);
  const logs: LogRecord[] = [];
  const pipeline = await createPipeline({ config: config.pipeline, cameras: config.cameras, logger: createLogger({ level: 'debug', sink: (r) => logs.push(r) }) });
  cleanup.push(() => pipeline.close(0));
  if (options.workers !== false) await pipeline.engine.startWorkers();
  return { dir, file, media, sim, pipeline, logs };
}

/** Resolves with the job once it is completed, failed or cancelled (events, then a final read). */
export function settled(engine: JobEngine, id: string): Promise<Job> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (job: Job): void => {
      if (job.id !== id) return;
      for (const off of offs) off();
      resolve(job);
    };
    offs.push(engine.on('completed', done), engine.on('failed', done), engine.on('cancelled', done));
    // It may have finished before the listeners were on.
    engine.get(id).then((job) => {
      if (job !== undefined && ['completed', 'failed', 'cancelled'].includes(job.state)) done(job);
    }, reject);
  });
}

export const SPAN = { from: new Date('2024-05-01T00:00:00Z'), to: new Date('2024-05-02T00:00:00Z') };
