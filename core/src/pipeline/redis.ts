/**
 * The scale-out engine: the same jobs on BullMQ over Redis, so `camflow worker` processes on several
 * machines share one queue. BullMQ does the queueing work: leases are its job locks (a job whose
 * worker died is "stalled" and runs again), retries its attempts with exponential back-off and jitter,
 * `UnrecoverableError` ends a job at once, progress and events come from its QueueEvents stream, and
 * a dedupe key becomes the job id. One BullMQ queue per job type, so each type has its own concurrency.
 *
 * Cancel from any process: a queued job is removed and remembered as cancelled; a running one is
 * cancelled by a message on a pub/sub channel that every worker listens on, and the owning worker
 * aborts the job's signal (BullMQ's cancelJob). Per-camera limits hold per worker process.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DelayedError, type Job as BullJob, Queue, QueueEvents, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ensureError } from '../errors.js';
import { DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS, EngineBase, type EngineOptions } from './engine-base.js';
import { durationFigures, emptyFigures, LoopDelay } from './figures.js';
import { cameraOf } from './registry.js';
import { describeJobError, isPermanent, retryAfter } from './retry.js';
import { runAttempt, Throttle } from './run-job.js';
import type { AddOptions, Job, JobEngine, JobProgress, JobState, ListFilter, PipelineFigures, WorkerOptions } from './types.js';

export interface RedisEngineOptions extends EngineOptions {
  /** redis://host:port[/db] */
  url: string;
  password?: string;
  /** Key prefix of the queues, default `camflow`. */
  prefix?: string;
}

interface JobData {
  params: unknown;
  camera?: string;
  dedupeKey?: string;
  priority: number;
}

const CANCELLED = 'cancelled';
/** BullMQ: a lower number runs first, and jobs without one run before all others: every job gets one. */
const PRIORITY_BASE = 1_000_000;

export class RedisEngine extends EngineBase implements JobEngine {
  readonly kind = 'redis';
  readonly #opts: RedisEngineOptions;
  readonly #prefix: string;
  readonly #queues = new Map<string, Queue>();
  readonly #events = new Map<string, QueueEvents>();
  readonly #workers = new Map<string, Worker>();
  readonly #cameraSlots = new Map<string, number>();
  /** Jobs this process runs, and why their signal was aborted. */
  readonly #running = new Map<string, { reason?: 'cancel' | 'hand-back' }>();
  #subscriber: Redis | undefined;
  #client: Redis | undefined;
  #loopDelay: LoopDelay | undefined;
  #warnedAt = 0;

  constructor(options: RedisEngineOptions) {
    super(options);
    this.#opts = options;
    this.#prefix = options.prefix ?? 'camflow';
  }

  async add<P>(type: string, params: P, options: AddOptions = {}): Promise<Job> {
    const checked = this.options.registry.parseParams(type, params);
    const camera = cameraOf(checked);
    const priority = options.priority ?? 0;
    const data: JobData = { params: checked, priority, ...(camera === undefined ? {} : { camera }), ...(options.dedupeKey === undefined ? {} : { dedupeKey: options.dedupeKey }) };
    const retentionSec = Math.round((this.options.retentionMs ?? DEFAULT_RETENTION_MS) / 1000);
    const id = options.dedupeKey === undefined ? `${type}.${randomUUID()}` : `${type}.k${createHash('sha256').update(options.dedupeKey).digest('hex').slice(0, 32)}`;
    const queue = this.#queue(type);
    const existing = options.dedupeKey === undefined ? undefined : await queue.getJob(id);
    if (existing !== undefined && existing !== null) return this.#toJob(existing, type);
    const job = await queue.add(type, data, {
      jobId: id,
      priority: Math.min(2_097_152, Math.max(1, PRIORITY_BASE - priority)),
      ...(options.delayMs === undefined || options.delayMs <= 0 ? {} : { delay: options.delayMs }),
      attempts: this.attemptsFor(type, options.attempts),
      backoff: { type: 'exponential', delay: this.options.backoff?.baseMs ?? 1000, jitter: 0.5 },
      removeOnComplete: { age: retentionSec },
      removeOnFail: { age: retentionSec },
    });
    const out = await this.#toJob(job, type);
    this.emit('added', out);
    return out;
  }

  async get(id: string): Promise<Job | undefined> {
    const type = typeOfId(id);
    if (type === undefined || !this.options.registry.has(type)) return undefined;
    const job = await this.#queue(type).getJob(id);
    if (job !== undefined && job !== null) return this.#toJob(job, type);
    const cancelled = await this.#redis().hget(this.#cancelledKey(), id);
    return cancelled === null ? undefined : reviveJob(cancelled);
  }

  async list(filter: ListFilter = {}): Promise<Job[]> {
    const limit = filter.limit ?? 200;
    const types = filter.type === undefined ? this.options.registry.types() : [filter.type];
    const bullStates = filter.state === undefined ? ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'] : bullStatesOf(filter.state);
    const out: Job[] = [];
    for (const type of types) {
      if (bullStates.length === 0) break;
      const jobs = await this.#queue(type).getJobs(bullStates as never, 0, limit - 1);
      for (const job of jobs) if (job !== undefined && job !== null) out.push(await this.#toJob(job, type));
    }
    if (filter.state === undefined || filter.state === 'cancelled') {
      for (const text of Object.values(await this.#redis().hgetall(this.#cancelledKey()))) {
        const job = reviveJob(text);
        if (filter.type === undefined || job.type === filter.type) out.push(job);
      }
    }
    return out
      .filter((job) => (filter.state === undefined || job.state === filter.state) && (filter.camera === undefined || job.camera === filter.camera))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit);
  }

  async cancel(id: string): Promise<Job | undefined> {
    const type = typeOfId(id);
    if (type === undefined || !this.options.registry.has(type)) return undefined;
    const job = await this.#queue(type).getJob(id);
    if (job === undefined || job === null) return this.get(id);
    const state = await job.getState();
    if (state === 'waiting' || state === 'delayed' || state === 'prioritized') {
      const record = { ...(await this.#toJob(job, type)), state: 'cancelled' as const, error: CANCELLED, finishedAt: new Date() };
      await job.remove();
      await this.#redis().hset(this.#cancelledKey(), id, JSON.stringify(record));
      this.emit('cancelled', record);
      return record;
    }
    if (state === 'active') {
      await this.#redis().publish(this.#cancelChannel(), id);
      const finished = await this.#waitFinished(job, type, 10_000);
      return finished;
    }
    return this.#toJob(job, type);
  }

  async retry(id: string): Promise<Job | undefined> {
    const type = typeOfId(id);
    if (type === undefined || !this.options.registry.has(type)) return undefined;
    const cancelled = await this.#redis().hget(this.#cancelledKey(), id);
    if (cancelled !== null) {
      const record = reviveJob(cancelled);
      await this.#redis().hdel(this.#cancelledKey(), id);
      if (await this.#queue(type).getJob(id)) await (await this.#queue(type).getJob(id))?.remove();
      const data: JobData = { params: record.params, priority: record.priority, ...(record.camera === undefined ? {} : { camera: record.camera }) };
      await this.#queue(type).add(type, data, { jobId: id, attempts: record.maxAttempts, priority: Math.max(1, PRIORITY_BASE - record.priority), backoff: { type: 'exponential', delay: this.options.backoff?.baseMs ?? 1000, jitter: 0.5 } });
      return this.get(id);
    }
    const job = await this.#queue(type).getJob(id);
    if (job === undefined || job === null) return undefined;
    if ((await job.getState()) === 'failed') await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return this.get(id);
  }

  async figures(): Promise<PipelineFigures> {
    const types: PipelineFigures['types'] = {};
    for (const type of this.options.registry.types()) {
      const queue = this.#queue(type);
      const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
      const figures = emptyFigures();
      figures.waiting = (counts['waiting'] ?? 0) + (counts['prioritized'] ?? 0);
      figures.delayed = counts['delayed'] ?? 0;
      figures.active = counts['active'] ?? 0;
      figures.completed = counts['completed'] ?? 0;
      figures.failed = counts['failed'] ?? 0;
      const done = await queue.getJobs(['completed'], 0, 199);
      Object.assign(figures, durationFigures(done.flatMap((j) => (j?.finishedOn !== undefined && j.processedOn !== undefined ? [j.finishedOn - j.processedOn] : []))));
      types[type] = figures;
    }
    for (const text of Object.values(await this.#redis().hgetall(this.#cancelledKey()))) {
      const type = reviveJob(text).type;
      (types[type] ??= emptyFigures()).cancelled++;
    }
    this.#loopDelay ??= new LoopDelay();
    const delay = this.#loopDelay.get();
    return { types, eventLoopDelayP99Ms: delay.p99, eventLoopDelayMaxMs: delay.max };
  }

  async startWorkers(workers: WorkerOptions = {}): Promise<void> {
    if (this.#workers.size > 0) return;
    this.#loopDelay ??= new LoopDelay();
    const lease = this.options.leaseMs ?? DEFAULT_LEASE_MS;
    for (const type of this.workerTypes(workers)) {
      const worker = new Worker(type, (job, token, signal) => this.#process(job as BullJob<JobData>, type, token, signal), {
        connection: this.#connection(),
        prefix: this.#prefix,
        concurrency: this.concurrencyFor(type, workers),
        lockDuration: lease,
        stalledInterval: Math.max(500, Math.floor(lease / 2)),
        maxStalledCount: 2,
      });
      worker.on('error', (error) => this.#warn(`pipeline (redis): ${ensureError(error).message}`));
      this.#workers.set(type, worker);
    }
    // Cancel requests for running jobs, from any process.
    const subscriber = this.#newRedis();
    this.#subscriber = subscriber;
    subscriber.on('message', (_channel: string, id: string) => {
      const type = typeOfId(id);
      const worker = type === undefined ? undefined : this.#workers.get(type);
      const running = this.#running.get(id);
      if (worker === undefined || running === undefined) return;
      running.reason ??= 'cancel';
      worker.cancelJob(id, CANCELLED);
    });
    await subscriber.subscribe(this.#cancelChannel());
    await Promise.all([...this.#workers.values()].map((worker) => worker.waitUntilReady()));
  }

  async stop(graceMs = 10_000): Promise<void> {
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    // Finish what runs within the grace period; hand the rest back to the queue for another worker.
    const closing = Promise.all(workers.map((worker) => worker.close()));
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
    if ((await Promise.race([closing.then(() => 'done' as const), timer])) === 'late') {
      for (const [id, running] of this.#running) {
        running.reason ??= 'hand-back';
        for (const worker of workers) worker.cancelJob(id, 'worker stopping');
      }
      await closing;
    }
    await Promise.allSettled([...this.#events.values()].map((events) => events.close()));
    await Promise.allSettled([...this.#queues.values()].map((queue) => queue.close()));
    this.#events.clear();
    this.#queues.clear();
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    this.#client?.disconnect();
    this.#client = undefined;
    this.#loopDelay?.stop();
    this.#loopDelay = undefined;
  }

  /** Subscribes to BullMQ's event stream of every type, so events from other processes arrive too. */
  async watchEvents(): Promise<void> {
    for (const type of this.options.registry.types()) {
      if (this.#events.has(type)) continue;
      const events = new QueueEvents(type, { connection: this.#connection(), prefix: this.#prefix });
      events.on('error', (error) => this.#warn(`pipeline (redis) events: ${ensureError(error).message}`));
      const relay =
        (kind: 'progress' | 'completed' | 'failed') =>
        ({ jobId }: { jobId: string }): void => {
          void this.get(jobId)
            .catch(() => undefined)
            .then((job) => {
              if (job === undefined) return;
              if (kind === 'failed' && job.state === 'cancelled') this.emit('cancelled', job);
              else if (kind === 'failed' && job.state !== 'failed') return; // an attempt failed; it will run again
              else this.emit(kind, job);
            });
        };
      events.on('progress', relay('progress'));
      events.on('completed', relay('completed'));
      events.on('failed', relay('failed'));
      this.#events.set(type, events);
      await events.waitUntilReady();
    }
  }

  async #process(job: BullJob<JobData>, type: string, token: string | undefined, signal: AbortSignal | undefined): Promise<unknown> {
    const camera = job.data.camera;
    const limit = camera === undefined ? undefined : this.perCameraFor(type);
    const slot = `${type}/${camera ?? ''}`;
    if (limit !== undefined && (this.#cameraSlots.get(slot) ?? 0) >= limit) {
      // The camera is busy here: back to the queue shortly, without using an attempt.
      await job.moveToDelayed(Date.now() + 250, token);
      throw new DelayedError();
    }
    this.#cameraSlots.set(slot, (this.#cameraSlots.get(slot) ?? 0) + 1);
    const running: { reason?: 'cancel' | 'hand-back' } = {};
    this.#running.set(job.id ?? '', running);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const progress = new Throttle<JobProgress>(200, (p) => void job.updateProgress(p as never).catch(() => undefined));
    try {
      const definition = this.options.registry.get(type);
      return await runAttempt(
        definition,
        { id: job.id ?? '', type, params: job.data.params, attempt: job.attemptsMade + 1 },
        this.options.services,
        controller.signal,
        (p) => progress.push(p),
        this.logger.child(type),
      );
    } catch (error) {
      if (controller.signal.aborted && running.reason === 'hand-back') {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      // Ends as failed with the reason 'cancelled', which every reader maps to the cancelled state.
      if (controller.signal.aborted) throw new UnrecoverableError(CANCELLED);
      const message = describeJobError(error);
      if (isPermanent(error)) throw new UnrecoverableError(message);
      // Not a failure but "not yet" (a recording still being written): wait that long, no attempt used.
      const after = retryAfter(error);
      if (after !== undefined) {
        this.logger.debug(`${type} ${job.id ?? ''}: ${message}; again in ${Math.round(after / 1000)} s`);
        await job.moveToDelayed(Date.now() + after, token);
        throw new DelayedError();
      }
      throw new Error(message, { cause: error });
    } finally {
      progress.flushNow();
      signal?.removeEventListener('abort', onAbort);
      this.#running.delete(job.id ?? '');
      this.#cameraSlots.set(slot, (this.#cameraSlots.get(slot) ?? 1) - 1);
    }
  }

  async #waitFinished(job: BullJob, type: string, ms: number): Promise<Job | undefined> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const current = await this.get(job.id ?? '');
      if (current === undefined || (current.state !== 'active' && current.state !== 'waiting')) return current;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return this.#toJob(job, type);
  }

  async #toJob(fetched: BullJob, type: string): Promise<Job> {
    let job = fetched;
    const bullState = await job.getState();
    // The job was read before it finished and its state after: read it again for result and reason.
    if ((bullState === 'completed' || bullState === 'failed') && job.finishedOn === undefined) {
      job = (await this.#queue(type).getJob(job.id ?? '')) ?? job;
    }
    const data = job.data as JobData;
    const cancelled = bullState === 'failed' && job.failedReason === CANCELLED;
    const state: JobState = cancelled ? 'cancelled' : mapState(bullState);
    const progress = typeof job.progress === 'object' && job.progress !== null ? (job.progress as JobProgress) : { fraction: typeof job.progress === 'number' ? job.progress / 100 : 0 };
    const out: Job = {
      id: job.id ?? '',
      type,
      params: data.params,
      state,
      progress: state === 'completed' ? { ...progress, fraction: 1 } : progress,
      priority: data.priority,
      attempts: bullState === 'active' ? job.attemptsMade + 1 : job.attemptsMade,
      maxAttempts: job.opts.attempts ?? 1,
      createdAt: new Date(job.timestamp),
    };
    if (data.camera !== undefined) out.camera = data.camera;
    if (data.dedupeKey !== undefined) out.dedupeKey = data.dedupeKey;
    if (state === 'completed') out.result = job.returnvalue as unknown;
    if (job.failedReason !== undefined && job.failedReason !== '') out.error = job.failedReason;
    if (job.processedOn !== undefined) out.startedAt = new Date(job.processedOn);
    if (job.finishedOn !== undefined) out.finishedAt = new Date(job.finishedOn);
    return out;
  }

  #queue(type: string): Queue {
    let queue = this.#queues.get(type);
    if (queue === undefined) {
      queue = new Queue(type, { connection: this.#connection(), prefix: this.#prefix });
      queue.on('error', (error) => this.#warn(`pipeline (redis): ${ensureError(error).message}`));
      this.#queues.set(type, queue);
    }
    return queue;
  }

  #connection(): { url: string; password?: string; maxRetriesPerRequest: null } {
    return { url: this.#opts.url, maxRetriesPerRequest: null, ...(this.#opts.password === undefined ? {} : { password: this.#opts.password }) };
  }

  #newRedis(): Redis {
    const redis = new Redis(this.#opts.url, { maxRetriesPerRequest: null, lazyConnect: false, ...(this.#opts.password === undefined ? {} : { password: this.#opts.password }) });
    redis.on('error', (error: Error) => this.#warn(`pipeline (redis): ${error.message}`));
    return redis;
  }

  #redis(): Redis {
    this.#client ??= this.#newRedis();
    return this.#client;
  }

  #cancelledKey(): string {
    return `${this.#prefix}:camflow:cancelled`;
  }

  #cancelChannel(): string {
    return `${this.#prefix}:camflow:cancel`;
  }

  /** Redis down: one line every 10 s, not one per reconnect attempt and connection. */
  #warn(message: string): void {
    const now = Date.now();
    if (now - this.#warnedAt < 10_000) return;
    this.#warnedAt = now;
    this.logger.warn(message);
  }
}

function typeOfId(id: string): string | undefined {
  const dot = id.indexOf('.');
  return dot <= 0 ? undefined : id.slice(0, dot);
}

function mapState(state: string): JobState {
  switch (state) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'delayed':
      return 'delayed';
    default:
      return 'waiting';
  }
}

function bullStatesOf(state: JobState): string[] {
  switch (state) {
    case 'waiting':
      return ['waiting', 'prioritized'];
    case 'cancelled':
      return ['failed'];
    default:
      return [state];
  }
}

function reviveJob(text: string): Job {
  const raw = JSON.parse(text) as Job & { createdAt: string; startedAt?: string; finishedAt?: string };
  const job: Job = { ...raw, createdAt: new Date(raw.createdAt) };
  if (raw.startedAt !== undefined) job.startedAt = new Date(raw.startedAt);
  if (raw.finishedAt !== undefined) job.finishedAt = new Date(raw.finishedAt);
  return job;
}
