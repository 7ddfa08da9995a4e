/**
 * The pipeline from the config: the engine the config names, the built-in job types, the cameras
 * and folders handlers need, and the worker-thread pool. Front-ends (bridge, Node-RED, `camflow
 * worker`, `camflow jobs`) create it here and never pick an engine themselves.
 */
import { resolve } from 'node:path';
import type { Camera } from '../cameras/camera.js';
import type { CameraConfig } from '../config/camera.js';
import type { PipelineConfig } from '../config/pipeline.js';
import { noopLogger, type Logger } from '../log.js';
import type { DetectConfig } from '../config/detect.js';
import { configureDetection, describeJob, detectJob, faceEnrollJob } from '../detect/jobs.js';
import { cleanupJob } from './jobs/cleanup.js';
import { recordJob } from './jobs/record.js';
import { createDownloadJob } from './jobs/download.js';
import { snapshotJob } from './jobs/snapshot.js';
import { CpuPool } from './pool.js';
import { type AnyJobType, JobRegistry } from './registry.js';
import { CameraServices } from './services.js';
import { SqliteEngine } from './sqlite.js';
import type { JobEngine } from './types.js';

/** The job types camflow ships; later work adds its own with `extraTypes`. */
export function builtinJobTypes(config?: Pick<PipelineConfig, 'recording_name'>): AnyJobType[] {
  return [
    snapshotJob,
    createDownloadJob(config === undefined ? {} : { recordingName: config.recording_name }),
    cleanupJob,
    recordJob,
    detectJob,
    describeJob,
    faceEnrollJob,
  ];
}

export interface CreatePipelineOptions {
  config: PipelineConfig;
  cameras: readonly CameraConfig[];
  logger?: Logger;
  extraTypes?: readonly AnyJobType[];
  /** Cameras owned by the front-end (Node-RED's config nodes), found by id before the config's. */
  resolveCamera?: (id: string) => Camera | undefined;
  /** Relative data_dir and media_dir are under it (the folder of camflow.yaml); default the working directory. */
  baseDir?: string;
  /** The `detect:` section for the detect, describe and face-enroll jobs; default its defaults. */
  detect?: DetectConfig;
}

export interface Pipeline {
  engine: JobEngine;
  registry: JobRegistry;
  services: CameraServices;
  /** Stops the engine (grace for running jobs), then cameras and worker threads. */
  close(graceMs?: number): Promise<void>;
}

/** Async because the redis engine (BullMQ, ioredis) is loaded only when the config asks for it. */
export async function createPipeline(options: CreatePipelineOptions): Promise<Pipeline> {
  const { config } = options;
  const logger = (options.logger ?? noopLogger).child('pipeline');
  const base = options.baseDir ?? process.cwd();
  const registry = new JobRegistry();
  for (const type of [...builtinJobTypes(config), ...(options.extraTypes ?? [])]) registry.register(type);
  let pool: CpuPool | undefined;
  const services = new CameraServices({
    cameras: options.cameras,
    mediaDir: resolve(base, config.media_dir),
    dataDir: resolve(base, config.data_dir),
    logger,
    pool: () => (pool ??= new CpuPool()),
    ...(options.resolveCamera === undefined ? {} : { resolveCamera: options.resolveCamera }),
  });
  if (options.detect !== undefined) configureDetection(services, options.detect);
  const common = {
    registry,
    services,
    logger,
    attempts: config.attempts,
    backoff: { baseMs: config.retry_delay },
    concurrency: config.concurrency,
    perCamera: config.per_camera,
    retentionMs: config.retention,
    leaseMs: config.lease,
  };
  const engine: JobEngine =
    config.engine === 'redis'
      ? new (await import('./redis.js')).RedisEngine({ ...common, url: config.redis.url, prefix: config.redis.prefix, ...(config.redis.password === undefined ? {} : { password: config.redis.password }) })
      : new SqliteEngine({ ...common, file: resolve(services.dataDir, 'jobs.sqlite') });
  return {
    engine,
    registry,
    services,
    async close(graceMs) {
      await engine.stop(graceMs);
      await services.close();
      await pool?.close();
    },
  };
}
