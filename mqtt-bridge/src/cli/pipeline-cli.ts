/** What the job commands share: the pipeline from --config, progress bars, job lines. */
import { dirname, resolve } from 'node:path';
import { type CamflowConfig, createPipeline, type Job, loadConfig, type Pipeline } from '@camflow/core';
import { type CliIo, UsageError } from './command.js';

/** The config from --config, and its media folder resolved against the file's folder. */
export async function configFrom(file: string | undefined, io: CliIo): Promise<{ config: CamflowConfig; mediaDir: string }> {
  if (file === undefined) throw new UsageError('--config FILE is required');
  const config = await loadConfig(file, { env: io.env });
  return { config, mediaDir: resolve(dirname(file), config.pipeline.media_dir) };
}

export async function pipelineFrom(file: string | undefined, io: CliIo, loaded?: CamflowConfig): Promise<Pipeline> {
  if (file === undefined) throw new UsageError('--config FILE is required');
  const config = loaded ?? (await configFrom(file, io)).config;
  return createPipeline({ config: config.pipeline, cameras: config.cameras, detect: config.detect, logger: io.logger, baseDir: dirname(file) });
}

/** `--param key=value`: numbers, true/false and JSON objects/lists are typed; everything else a string. */
export function parseParams(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--param expects key=value, got '${pair}'`);
    out[pair.slice(0, equals)] = typed(pair.slice(equals + 1));
  }
  return out;
}

function typed(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

export function isFinished(job: Job): boolean {
  return job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled';
}

/** `[##########----------]  50%  saving` in 80 columns at most. */
export function progressBar(job: Job, width = 24): string {
  const fraction = job.state === 'completed' ? 1 : job.progress.fraction;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const percent = `${Math.round(fraction * 100)}%`.padStart(4);
  const label = `${job.type} ${job.camera ?? ''}`.trim();
  const text = job.state === 'active' ? (job.progress.message ?? '') : job.state;
  return `${label.slice(0, 20).padEnd(20)} ${bar} ${percent} ${text}`.slice(0, 79);
}

/** One line for `jobs list`. */
export function jobLine(job: Job): string {
  const percent = `${Math.round((job.state === 'completed' ? 1 : job.progress.fraction) * 100)}%`;
  const error = job.error === undefined || job.state === 'completed' ? '' : `  ${job.error}`;
  return `${job.id}  ${job.type.padEnd(10)} ${(job.camera ?? '-').padEnd(12)} ${job.state.padEnd(9)} ${percent.padStart(4)}  ${job.attempts}/${job.maxAttempts}${error}`;
}

/** The job as JSON for --json: dates as ISO strings. */
export function jobJson(job: Job): string {
  return JSON.stringify(job);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
