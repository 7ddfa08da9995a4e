/**
 * What both engines share: the options, the event emitter, limits per type, and turning an
 * attempt's outcome into the next state (done, again later, failed, cancelled).
 */
import { TypedEmitter } from '../events.js';
import { ensureError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobRegistry } from './registry.js';
import { backoffDelay, type BackoffOptions, isPermanent, retryAfter } from './retry.js';
import type { PipelineServices } from './services.js';
import type { PipelineEvents, WorkerOptions } from './types.js';

export interface EngineOptions {
  registry: JobRegistry;
  services: PipelineServices;
  logger: Logger;
  /** Attempts in all when neither the job nor its type says; default 3. */
  attempts?: number;
  backoff?: BackoffOptions;
  /** Per type: jobs at once in one process (overrides the type's default). */
  concurrency?: Readonly<Record<string, number>>;
  /** Per type: jobs at once per camera (overrides the type's default). */
  perCamera?: Readonly<Record<string, number>>;
  /** Finished jobs are removed this long after they ended; default 7 days. */
  retentionMs?: number;
  /** A running job's lease; a worker that stops renewing it loses the job. Default 30 s. */
  leaseMs?: number;
}

export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;
export const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_TYPE_CONCURRENCY = 2;

export type Outcome = { kind: 'completed'; result: unknown } | { kind: 'cancelled' } | { kind: 'handed-back' } | { kind: 'failed'; error: Error; retryInMs?: number };

export abstract class EngineBase extends TypedEmitter<PipelineEvents> {
  protected readonly options: EngineOptions;
  protected readonly logger: Logger;

  constructor(options: EngineOptions) {
    super({ onListenerError: (error, event) => options.logger.warn(`a pipeline '${event}' listener failed: ${ensureError(error).message}`) });
    this.options = options;
    this.logger = options.logger;
  }

  protected attemptsFor(type: string, requested: number | undefined): number {
    const attempts = requested ?? this.options.registry.get(type).attempts ?? this.options.attempts ?? DEFAULT_ATTEMPTS;
    return Math.max(1, Math.floor(attempts));
  }

  /** Jobs of `type` at once in this process. */
  protected concurrencyFor(type: string, workers: WorkerOptions): number {
    const configured = this.options.concurrency?.[type] ?? this.options.registry.get(type).concurrency ?? DEFAULT_TYPE_CONCURRENCY;
    return Math.max(1, Math.min(configured, workers.concurrency ?? Number.POSITIVE_INFINITY));
  }

  protected perCameraFor(type: string): number | undefined {
    return this.options.perCamera?.[type] ?? this.options.registry.get(type).perCamera;
  }

  protected workerTypes(workers: WorkerOptions): string[] {
    const known = this.options.registry.types();
    if (workers.types === undefined) return known;
    for (const type of workers.types) this.options.registry.get(type); // unknown type: a clear error now
    return [...workers.types];
  }

  /** A failed attempt: again after a back-off, unless it cannot help or attempts are used up. */
  protected failure(error: unknown, attempt: number, maxAttempts: number): Outcome {
    const e = ensureError(error);
    if (isPermanent(e) || attempt >= maxAttempts) return { kind: 'failed', error: e };
    return { kind: 'failed', error: e, retryInMs: retryAfter(e) ?? backoffDelay(attempt, this.options.backoff) };
  }
}
