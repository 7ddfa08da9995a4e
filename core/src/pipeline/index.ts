export * from './types.js';
export { defineJobType, JobRegistry, JobValidationError, type AnyJobType, type HandlerContext, type JobTypeDefinition } from './registry.js';
export { UnrecoverableJobError, backoffDelay, isPermanent } from './retry.js';
export { CpuPool, type CpuPoolOptions } from './pool.js';
export { CameraServices, type PipelineServices } from './services.js';
export { SqliteEngine, type SqliteEngineOptions } from './sqlite.js';
// The redis engine is imported on demand (createPipeline, or '@camflow/core/pipeline/redis').
export type { RedisEngineOptions } from './redis.js';
export type { EngineOptions } from './engine-base.js';
export { writeWhole, diskError, fileStamp } from './files.js';
export { LoopDelay } from './figures.js';
export { snapshotJob } from './jobs/snapshot.js';
export { cleanupJob } from './jobs/cleanup.js';
export { recordJob } from './jobs/record.js';
export { builtinJobTypes, createPipeline, type CreatePipelineOptions, type Pipeline } from './pipeline.js';
export { createDownloadJob, downloadJob, RecordingNotCompleteError, formatBytes, type DownloadParams, type DownloadResult } from './jobs/download.js';
