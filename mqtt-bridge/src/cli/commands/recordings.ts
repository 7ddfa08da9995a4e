/**
 * `camflow recordings search|download`: a Hikvision camera's or NVR's recordings over a span; the
 * download queues one `download` job per recording (never twice) and, with --wait, works them here.
 * Every argument is checked before the camera is asked anything.
 */
import { parseArgs } from 'node:util';
import { type CamflowConfig, formatBytes, type Job, parseDuration, queueRecordingDownloads, type RecordingMatch, searchCameraRecordings } from '@camflow/core';
import { CAMERA_OPTION, CONFIG_OPTION, type CliIo, type Command, JSON_OPTION, UsageError, writeLine } from '../command.js';
import { configFrom, isFinished, pipelineFrom, sleep } from '../pipeline-cli.js';

const POLL_MS = 250;

const SPAN_OPTIONS = [
  ['--from T', 'start of the span: ISO time (2024-05-01T20:00, local time unless it ends in Z or +hh:mm)'],
  ['--to T', 'end of the span (with --from)'],
  ['--last D', 'the span ending now, e.g. 8h, 30m, 2d (instead of --from/--to)'],
] as const;

const SPAN_ARGS = {
  config: { type: 'string', short: 'c' },
  camera: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  last: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

interface Checked {
  config: CamflowConfig;
  file: string;
  camera: string;
  from: Date;
  to: Date;
}

/** Everything a recordings command needs, checked without a network call. */
async function check(values: { config?: string; camera?: string; from?: string; to?: string; last?: string }, io: CliIo): Promise<Checked> {
  if (values.config === undefined) throw new UsageError('--config FILE is required');
  if (values.camera === undefined) throw new UsageError('--camera ID is required');
  const { from, to } = span(values);
  const { config } = await configFrom(values.config, io);
  const camera = config.cameras.find((c) => c.id === values.camera);
  if (camera === undefined) throw new UsageError(`no camera '${values.camera}' in ${values.config} (known: ${config.cameras.map((c) => c.id).join(', ') || 'none'})`);
  if (camera.type === 'rtsp') throw new UsageError(`camera ${camera.id} is an RTSP camera; it keeps no recordings to search (record clips with camflow clip)`);
  return { config, file: values.config, camera: camera.id, from, to };
}

function span(values: { from?: string; to?: string; last?: string }): { from: Date; to: Date } {
  if (values.last !== undefined) {
    if (values.from !== undefined || values.to !== undefined) throw new UsageError('give either --last or --from and --to, not both');
    const ms = parseDuration(values.last);
    if (ms === undefined || ms <= 0) throw new UsageError(`--last expects a duration such as 8h, 30m or 2d; got '${values.last}'`);
    const to = new Date();
    return { from: new Date(to.getTime() - ms), to };
  }
  if (values.from === undefined || values.to === undefined) throw new UsageError('which span? --from T --to T, or --last 8h');
  const from = time('--from', values.from);
  const to = time('--to', values.to);
  if (from.getTime() >= to.getTime()) throw new UsageError(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  return { from, to };
}

function time(option: string, text: string): Date {
  // ISO 8601 only: Date.parse takes much else ("May 1"), differently per engine.
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text.trim())) {
    throw new UsageError(`${option} expects an ISO time such as 2024-05-01T20:00 or 2024-05-01T18:00Z; got '${text}'`);
  }
  const date = new Date(text.trim().replace(' ', 'T'));
  if (Number.isNaN(date.getTime())) throw new UsageError(`${option}: '${text}' is not a valid time`);
  return date;
}

function matchJson(m: RecordingMatch): Record<string, unknown> {
  return { track: m.trackId, start: m.startTime.toISOString(), end: m.endTime.toISOString(), size: m.size ?? null, playback_uri: m.playbackURI };
}

function matchLine(m: RecordingMatch, now: number): string {
  const minutes = ((m.endTime.getTime() - m.startTime.getTime()) / 60_000).toFixed(1);
  const size = m.size === undefined ? '?' : formatBytes(m.size);
  const open = m.endTime.getTime() > now ? '  (still being written)' : '';
  return `${m.startTime.toISOString()}  ${m.endTime.toISOString()}  ${minutes.padStart(6)} min  ${size.padStart(8)}  track ${m.trackId}${open}`;
}

export const recordingsSearch: Command = {
  path: ['recordings', 'search'],
  usage: 'recordings search --config FILE --camera ID (--from T --to T | --last D) [--json]',
  summary: "List a Hikvision camera's or NVR's recordings over a span",
  options: [CONFIG_OPTION, CAMERA_OPTION, ...SPAN_OPTIONS, JSON_OPTION],
  async run(args, io) {
    const { values } = parseArgs({ args, options: SPAN_ARGS });
    const c = await check(values, io);
    const pipeline = await pipelineFrom(c.file, io, c.config);
    try {
      const matches = await searchCameraRecordings(pipeline.services, c.camera, { from: c.from, to: c.to, signal: io.signal });
      if (values.json) {
        writeLine(io.stdout, JSON.stringify(matches.map(matchJson)));
        return 0;
      }
      const now = Date.now();
      for (const m of matches) writeLine(io.stdout, matchLine(m, now));
      const bytes = matches.reduce((sum, m) => sum + (m.size ?? 0), 0);
      writeLine(io.stderr, `${matches.length} recording${matches.length === 1 ? '' : 's'} on ${c.camera}, ${formatBytes(bytes)}`);
      return 0;
    } finally {
      await pipeline.close(0);
    }
  },
};

export const recordingsDownload: Command = {
  path: ['recordings', 'download'],
  usage: 'recordings download --config FILE --camera ID (--from T --to T | --last D) [--wait] [--json]',
  summary: 'Queue a download job per recording (never one twice); --wait downloads them here with progress',
  options: [
    CONFIG_OPTION,
    CAMERA_OPTION,
    ...SPAN_OPTIONS,
    ['--wait', 'work the downloads here too, show progress, exit 0 only if all completed'],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values } = parseArgs({ args, options: { ...SPAN_ARGS, wait: { type: 'boolean', default: false } } });
    const c = await check(values, io);
    const pipeline = await pipelineFrom(c.file, io, c.config);
    try {
      const queued = await queueRecordingDownloads(pipeline, c.camera, { from: c.from, to: c.to, signal: io.signal });
      const open = queued.incomplete.length === 0 ? '' : `; ${queued.incomplete.length} still being written (taken by a later run)`;
      const summary = `${queued.matches.length} recording${queued.matches.length === 1 ? '' : 's'} on ${c.camera}: ${queued.added} queued, ${queued.jobs.length - queued.added} queued before${open}`;
      if (!values.wait) {
        if (values.json) writeLine(io.stdout, JSON.stringify({ matches: queued.matches.length, added: queued.added, incomplete: queued.incomplete.length, jobs: queued.jobs.map((j) => j.id) }));
        else writeLine(io.stdout, summary);
        return 0;
      }
      writeLine(io.stderr, summary);
      await pipeline.engine.startWorkers({ types: ['download'] });
      const ids = queued.jobs.map((j) => j.id);
      const jobs = await followAll(ids, (id) => pipeline.engine.get(id), io, values.json);
      if (jobs === undefined) return 1;
      if (values.json) writeLine(io.stdout, JSON.stringify(jobs));
      const failed = jobs.filter((j) => j.state !== 'completed');
      for (const job of failed) writeLine(io.stderr, `✗ download ${job.id} ${job.state}${job.error === undefined ? '' : `: ${job.error}`}`);
      const skipped = jobs.filter((j) => (j.result as { skipped?: boolean } | undefined)?.skipped === true).length;
      const bytes = jobs.reduce((sum, j) => sum + ((j.result as { bytes?: number } | undefined)?.bytes ?? 0), 0);
      if (!values.json) writeLine(io.stdout, `${jobs.length - failed.length - skipped} downloaded, ${skipped} already on disk, ${failed.length} failed (${formatBytes(bytes)})`);
      return failed.length === 0 ? 0 : 1;
    } finally {
      await pipeline.close(0);
    }
  },
};

/** Polls the jobs until all end (or Ctrl-C), with one progress line on a terminal. */
async function followAll(ids: readonly string[], get: (id: string) => Promise<Job | undefined>, io: CliIo, json: boolean): Promise<Job[] | undefined> {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !json;
  const done = new Map<string, Job>();
  let last = '';
  for (;;) {
    let active: Job | undefined;
    for (const id of ids) {
      if (done.has(id)) continue;
      const job = await get(id);
      if (job === undefined) {
        writeLine(io.stderr, `✗ job ${id} is gone`);
        return undefined;
      }
      if (isFinished(job)) done.set(id, job);
      else if (job.state === 'active') active ??= job;
    }
    const line = `downloads ${done.size}/${ids.length} done${active === undefined ? '' : `  ${active.progress.message ?? ''}`}`.slice(0, 79);
    if (tty && line !== last) io.stderr.write(`\r${line.padEnd(79)}`);
    last = line;
    if (done.size === ids.length) {
      if (tty) io.stderr.write('\n');
      return ids.map((id) => done.get(id) as Job);
    }
    if (io.signal.aborted) {
      if (tty) io.stderr.write('\n');
      writeLine(io.stderr, `✗ stopped waiting; ${ids.length - done.size} downloads still queued (camflow worker works them)`);
      return undefined;
    }
    await sleep(POLL_MS, io.signal);
  }
}
