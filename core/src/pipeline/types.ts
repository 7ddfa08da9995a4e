/**
 * The pipeline's vocabulary, shared by both engines: what a job is, what a handler gets, what the
 * engine promises. A job is a typed piece of work (snapshot, download, detect, ...) with params checked
 * by its type's schema when it is added, a state, a progress and at most a few attempts.
 */
import type { Logger } from '../log.js';

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['waiting', 'delayed', 'active', 'completed', 'failed', 'cancelled'];

export interface JobProgress {
  /** 0..1 */
  fraction: number;
  message?: string;
}

/** A job as every front-end sees it. Params and result are the type's, already checked. */
export interface Job<P = unknown, R = unknown> {
  id: string;
  type: string;
  /** The camera the job works on (`params.camera`), for per-camera limits and filters. */
  camera?: string;
  params: P;
  state: JobState;
  progress: JobProgress;
  priority: number;
  /** Attempts made so far (an attempt that is running counts). */
  attempts: number;
  maxAttempts: number;
  dedupeKey?: string;
  result?: R;
  /** The last attempt's error message. */
  error?: string;
  createdAt: Date;
  startedAt?: Date;
  finishedAt?: Date;
}

export interface AddOptions {
  /** Higher runs first, default 0. */
  priority?: number;
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number;
  /** Attempts in all (the first included), default the type's or the config's. */
  attempts?: number;
  /** Adding work with a key that is already queued, running or done is a no-op returning that job. */
  dedupeKey?: string;
}

export interface ListFilter {
  state?: JobState;
  type?: string;
  camera?: string;
  /** At most this many, newest first; default 200. */
  limit?: number;
}

/** What a handler gets besides its params. */
export interface JobContext {
  jobId: string;
  /** 1 on the first attempt. */
  attempt: number;
  /** Aborted by cancel(), by a shutdown that hands the job back, or when the lease was lost. */
  signal: AbortSignal;
  /** Reports how far the job is; cheap to call often (the engine writes at most a few times a second). */
  progress(fraction: number, message?: string): void;
  logger: Logger;
}

export type JobHandler<P, R> = (params: P, context: JobContext) => Promise<R>;

export interface TypeFigures {
  waiting: number;
  delayed: number;
  active: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** Of the completed jobs still kept: mean and 95th percentile of their run time. */
  avgMs?: number;
  p95Ms?: number;
}

export interface PipelineFigures {
  types: Record<string, TypeFigures>;
  /** This process's event-loop delay, 99th percentile over the last minute (ms). */
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export type PipelineEvents = {
  added: Job;
  progress: Job;
  completed: Job;
  failed: Job;
  cancelled: Job;
  /** An attempt failed and the job will run again after `retryInMs`. */
  retrying: Job & { retryInMs: number };
};

export interface WorkerOptions {
  /** Job types this process works on; default every registered type. */
  types?: readonly string[];
  /** Caps every type's concurrency in this process (camflow worker --concurrency N). */
  concurrency?: number;
}

/** One interface, two engines (sqlite, redis); the conformance suite runs the same tests on both. */
export interface JobEngine {
  readonly kind: 'sqlite' | 'redis';
  /** Events of this process's jobs (sqlite), or of every process's (redis, after watchEvents). */
  on<K extends keyof PipelineEvents>(event: K, listener: (value: PipelineEvents[K]) => void): () => void;
  add<P>(type: string, params: P, options?: AddOptions): Promise<Job>;
  get(id: string): Promise<Job | undefined>;
  list(filter?: ListFilter): Promise<Job[]>;
  /** Stops a running job (its signal aborts, partial files go) or drops a queued one. */
  cancel(id: string): Promise<Job | undefined>;
  /** Queues a failed or cancelled job again, with fresh attempts. */
  retry(id: string): Promise<Job | undefined>;
  figures(): Promise<PipelineFigures>;
  /** Starts taking jobs in this process. */
  startWorkers(options?: WorkerOptions): Promise<void>;
  /** Stops taking jobs; running ones get `graceMs` to finish, then are handed back. Closes everything. */
  stop(graceMs?: number): Promise<void>;
}
