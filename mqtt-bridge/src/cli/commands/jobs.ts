import { parseArgs } from 'node:util';
import { JOB_STATES, type Job, type JobState } from '@camflow/core';
import { CONFIG_OPTION, type CliIo, type Command, JSON_OPTION, UsageError, writeLine } from '../command.js';
import { isFinished, jobJson, jobLine, parseParams, pipelineFrom, progressBar, sleep } from '../pipeline-cli.js';

const POLL_MS = 200;

export const jobsAdd: Command = {
  path: ['jobs', 'add'],
  usage: 'jobs add TYPE --config FILE [--camera ID] [--param K=V]... [--wait] [--json]',
  summary: 'Queue a job (snapshot, cleanup, ...); --wait works it here and shows its progress',
  options: [
    CONFIG_OPTION,
    ['--camera ID', 'the camera the job is for (the param camera)'],
    ['--param K=V', 'a job parameter; repeat for more (numbers, true/false and JSON are typed)'],
    ['--wait', 'work the job here too, show a progress bar, exit 0 only if it completed'],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        camera: { type: 'string' },
        param: { type: 'string', multiple: true, default: [] },
        wait: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const [type, ...rest] = positionals;
    if (type === undefined) throw new UsageError('which job type? e.g. camflow jobs add snapshot --camera front');
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0] ?? ''}'`);
    const params = { ...parseParams(values.param), ...(values.camera === undefined ? {} : { camera: values.camera }) };
    const pipeline = await pipelineFrom(values.config, io);
    try {
      const job = await pipeline.engine.add(type, params);
      if (!values.wait) {
        writeLine(io.stdout, values.json ? jobJson(job) : job.id);
        return 0;
      }
      // A worker here too, so the job finishes even when no other worker runs; others may take it first.
      await pipeline.engine.startWorkers({ types: [type] });
      const end = await follow(job.id, pipeline.engine.get.bind(pipeline.engine), io, values.json);
      if (end === undefined) return 1;
      if (values.json) writeLine(io.stdout, jobJson(end));
      else if (end.state === 'completed') writeLine(io.stdout, `${end.id} completed${describeResult(end)}`);
      else writeLine(io.stderr, `✗ ${end.type} job ${end.id} ${end.state}${end.error === undefined ? '' : `: ${end.error}`}`);
      return end.state === 'completed' ? 0 : 1;
    } finally {
      await pipeline.close(0);
    }
  },
};

/** Polls the job until it ends (or Ctrl-C), drawing its progress bar on a terminal. */
async function follow(id: string, get: (id: string) => Promise<Job | undefined>, io: CliIo, json: boolean): Promise<Job | undefined> {
  const tty = (io.stderr as NodeJS.WriteStream).isTTY === true && !json;
  let last = '';
  for (;;) {
    const job = await get(id);
    if (job === undefined) {
      writeLine(io.stderr, `✗ job ${id} is gone`);
      return undefined;
    }
    const line = progressBar(job);
    if (tty && line !== last) io.stderr.write(`\r${line.padEnd(79)}`);
    last = line;
    if (isFinished(job)) {
      if (tty) io.stderr.write('\n');
      return job;
    }
    if (io.signal.aborted) {
      if (tty) io.stderr.write('\n');
      writeLine(io.stderr, `✗ stopped waiting; job ${id} is ${job.state} (camflow jobs cancel ${id} stops it)`);
      return undefined;
    }
    await sleep(POLL_MS, io.signal);
  }
}

function describeResult(job: Job): string {
  const result = job.result as { path?: unknown } | undefined;
  return typeof result?.path === 'string' ? `: ${result.path}` : '';
}

function parseState(state: string | undefined): JobState | undefined {
  if (state === undefined) return undefined;
  if (!(JOB_STATES as readonly string[]).includes(state)) throw new UsageError(`--state is one of ${JOB_STATES.join(', ')}; got '${state}'`);
  return state as JobState;
}

export const jobsList: Command = {
  path: ['jobs', 'list'],
  usage: 'jobs list --config FILE [--state S] [--type T] [--camera ID] [--json]',
  summary: 'List jobs, newest first',
  options: [
    CONFIG_OPTION,
    ['--state S', 'waiting, delayed, active, completed, failed or cancelled (default: all)'],
    ['--type T', 'only jobs of this type'],
    ['--camera ID', 'only jobs for this camera'],
    JSON_OPTION,
  ],
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        state: { type: 'string' },
        type: { type: 'string' },
        camera: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const state = parseState(values.state);
    const pipeline = await pipelineFrom(values.config, io);
    try {
      const jobs = await pipeline.engine.list({
        ...(state === undefined ? {} : { state }),
        ...(values.type === undefined ? {} : { type: values.type }),
        ...(values.camera === undefined ? {} : { camera: values.camera }),
      });
      if (values.json) writeLine(io.stdout, JSON.stringify(jobs));
      else if (jobs.length === 0) writeLine(io.stdout, 'no jobs');
      else for (const job of jobs) writeLine(io.stdout, jobLine(job));
      return 0;
    } finally {
      await pipeline.close(0);
    }
  },
};

export const jobsWatch: Command = {
  path: ['jobs', 'watch'],
  usage: 'jobs watch [ID] --config FILE',
  summary: 'Live progress of running jobs (JSON lines when not on a terminal)',
  options: [CONFIG_OPTION],
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
    const [id] = positionals;
    const pipeline = await pipelineFrom(values.config, io);
    const tty = (io.stdout as NodeJS.WriteStream).isTTY === true;
    const seen = new Map<string, string>();
    let drawn = 0;
    try {
      while (!io.signal.aborted) {
        const jobs = id === undefined ? await pipeline.engine.list({ state: 'active' }) : [await pipeline.engine.get(id)].filter((j): j is Job => j !== undefined);
        if (id !== undefined && jobs.length === 0) {
          writeLine(io.stderr, `✗ no job ${id}`);
          return 1;
        }
        if (tty) {
          if (drawn > 0) io.stdout.write(`\x1b[${drawn}A\x1b[J`);
          const lines = jobs.length === 0 ? ['no running jobs'] : jobs.map((job) => progressBar(job));
          for (const line of lines) writeLine(io.stdout, line);
          drawn = lines.length;
        } else {
          for (const job of jobs) {
            const key = `${job.state}/${job.progress.fraction}/${job.progress.message ?? ''}`;
            if (seen.get(job.id) === key) continue;
            seen.set(job.id, key);
            writeLine(io.stdout, jobJson(job));
          }
        }
        if (id !== undefined && jobs[0] !== undefined && isFinished(jobs[0])) return jobs[0].state === 'completed' ? 0 : 1;
        await sleep(POLL_MS, io.signal);
      }
      return 0;
    } finally {
      await pipeline.close(0);
    }
  },
};

function idCommand(verb: 'cancel' | 'retry', summary: string): Command {
  return {
    path: ['jobs', verb],
    usage: `jobs ${verb} ID --config FILE`,
    summary,
    async run(args, io) {
      const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } } });
      const [id] = positionals;
      if (id === undefined) throw new UsageError(`which job? camflow jobs ${verb} ID`);
      const pipeline = await pipelineFrom(values.config, io);
      try {
        const job = verb === 'cancel' ? await pipeline.engine.cancel(id) : await pipeline.engine.retry(id);
        if (job === undefined) {
          writeLine(io.stderr, `✗ no job ${id}`);
          return 1;
        }
        writeLine(io.stdout, values.json ? jobJson(job) : `${job.id} ${job.state}`);
        const wanted = verb === 'cancel' ? job.state === 'cancelled' || job.state === 'completed' || job.state === 'failed' : !isFinished(job);
        return wanted ? 0 : 1;
      } finally {
        await pipeline.close(0);
      }
    },
  };
}

export const jobsCancel = idCommand('cancel', 'Stop a running job or drop a queued one');
export const jobsRetry = idCommand('retry', 'Queue a failed or cancelled job again');

export const jobsFigures: Command = {
  path: ['jobs', 'figures'],
  usage: 'jobs figures --config FILE [--json]',
  summary: "The pipeline's figures: jobs per type and state, run times (avg, p95), event-loop delay",
  options: [CONFIG_OPTION, ['--json', 'the figures as JSON']],
  async run(args, io) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, json: { type: 'boolean', default: false } } });
    const pipeline = await pipelineFrom(values.config, io);
    try {
      const figures = await pipeline.engine.figures();
      if (values.json) {
        writeLine(io.stdout, JSON.stringify(figures));
        return 0;
      }
      writeLine(io.stdout, 'type        waiting delayed active completed failed cancelled   avg ms   p95 ms');
      for (const [type, f] of Object.entries(figures.types)) {
        const n = (value: number | undefined, width: number): string => String(value ?? '-').padStart(width);
        writeLine(io.stdout, `${type.padEnd(11)} ${n(f.waiting, 7)} ${n(f.delayed, 7)} ${n(f.active, 6)} ${n(f.completed, 9)} ${n(f.failed, 6)} ${n(f.cancelled, 9)} ${n(f.avgMs, 8)} ${n(f.p95Ms, 8)}`);
      }
      writeLine(io.stdout, `event-loop delay of this command: p99 ${figures.eventLoopDelayP99Ms} ms (the bridge reports its own)`);
      return 0;
    } finally {
      await pipeline.close(0);
    }
  },
};
