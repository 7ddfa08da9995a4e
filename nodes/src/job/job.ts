import { ConfigError, type Job } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../red.js';
import { startNode } from '../shared/define.js';
import { acquirePipeline, releasePipeline, runningPipeline } from '../shared/pipeline.js';
import { settled } from '../shared/jobs.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface JobDef extends NodeDef {
  /** Job type (snapshot, record, download, detect, describe, cleanup, face-enroll, ...). */
  jobType: string;
  /** JSON object of params; msg.params is merged over it. */
  params: string;
  /** Optional camflow-camera: becomes `params.camera` (jobs name cameras by their config node id). */
  camera: string;
}

export const JOB_VERSION = 1;
export const JOB_DEFAULTS = { jobType: 'snapshot', params: '{}', camera: '' };
export const jobMigrations: readonly Migration[] = [withDefaults(JOB_DEFAULTS)];

/** `45% downloading 3/12`: what the status shows while a job runs. */
export function progressText(job: Pick<Job, 'progress'>): string {
  const percent = `${Math.round(job.progress.fraction * 100)}%`;
  return job.progress.message === undefined || job.progress.message === '' ? percent : `${percent} ${job.progress.message}`;
}

/** What a message carries about its job: never its params' secrets (jobs hold camera ids, not credentials). */
export function jobSummary(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    type: job.type,
    state: job.state,
    attempts: job.attempts,
    ...(job.camera === undefined ? {} : { camera: job.camera }),
    ...(job.error === undefined ? {} : { error: job.error }),
    createdAt: job.createdAt.toISOString(),
    ...(job.finishedAt === undefined ? {} : { finishedAt: job.finishedAt.toISOString() }),
  };
}

function parseParams(text: string, RED: NodeAPI): Record<string, unknown> {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(RED._('job.errors.badParams'));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(RED._('job.errors.badParams'));
  return parsed as Record<string, unknown>;
}

/**
 * Adds a pipeline job and follows it: status shows its progress, the first output gets the result once
 * it completed, the second the error when it failed or was cancelled. `msg.cancel` cancels `msg.jobId`
 * (or every job this node is following). Jobs run on the Node-RED process's pipeline and survive a
 * crash or a redeploy (they are in `<userDir>/camflow/jobs.sqlite`); only the following ends then.
 */
export default function register(RED: NodeAPI): void {
  function JobNode(this: Node, raw: JobDef): void {
    const { config, life } = startNode(RED, this, raw, jobMigrations, JOB_DEFAULTS);
    acquirePipeline(RED);
    life.onClose(() => releasePipeline());
    const following = new Set<string>();

    life.handleInput(async (msg, send, signal) => {
      const pipeline = await runningPipeline();
      if (pipeline === undefined) throw new ConfigError(RED._('job.errors.noPipeline'));
      const { engine } = pipeline;
      if (msg.cancel === true) {
        const ids = typeof msg.jobId === 'string' ? [msg.jobId] : [...following];
        for (const id of ids) await engine.cancel(id);
        this.status({ fill: 'grey', shape: 'ring', text: RED._('job.status.cancelled', { count: ids.length }) });
        return;
      }
      const type = typeof msg.jobType === 'string' && msg.jobType !== '' ? msg.jobType : config.jobType;
      // The editor's params belong to the editor's job type; another type from msg starts from msg.params alone.
      const base = type === config.jobType ? parseParams(config.params, RED) : {};
      const params: Record<string, unknown> = { ...base, ...(isRecord(msg.params) ? msg.params : {}) };
      if (config.camera !== '' && params.camera === undefined) {
        cameraFrom(RED, config.camera, life); // a clear error when the camera node is missing
        params.camera = config.camera;
      }
      const job = await engine.add(type, params);
      following.add(job.id);
      this.status({ fill: 'blue', shape: 'ring', text: RED._('job.status.queued', { type }) });
      try {
        const done = await settled(engine, job.id, signal, (running) => this.status({ fill: 'blue', shape: 'dot', text: `${progressText(running)}` }));
        if (done === undefined) return; // closing: the job goes on in the pipeline
        const out: NodeMessage = { ...msg, job: jobSummary(done) };
        if (done.state === 'completed') {
          this.status({ fill: 'green', shape: 'dot', text: RED._('job.status.done', { type }) });
          send([{ ...out, payload: done.result }, null]);
        } else {
          this.status({ fill: 'red', shape: 'ring', text: done.state === 'cancelled' ? RED._('job.status.cancelledOne') : (done.error ?? done.state) });
          send([null, { ...out, error: { message: done.error ?? done.state, state: done.state } }]);
        }
      } finally {
        following.delete(job.id);
      }
    });
  }
  RED.nodes.registerType('camflow-job', JobNode);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
