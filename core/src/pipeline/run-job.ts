/** Runs one attempt of a job's handler, the same way in both engines. */
import type { Logger } from '../log.js';
import type { AnyJobType } from './registry.js';
import type { PipelineServices } from './services.js';
import type { JobProgress } from './types.js';

export interface Attempt {
  id: string;
  type: string;
  params: unknown;
  attempt: number;
}

/**
 * Params are checked again (a job queued by an older version meets today's schema), progress is
 * clamped to 0..1, and the result must match the type's result schema: what reaches a job record is
 * always what the type promises.
 */
export async function runAttempt(
  definition: AnyJobType,
  attempt: Attempt,
  services: PipelineServices,
  signal: AbortSignal,
  onProgress: (progress: JobProgress) => void,
  logger: Logger,
): Promise<unknown> {
  const params: unknown = definition.params.parse(attempt.params);
  const result: unknown = await definition.handler(params, {
    jobId: attempt.id,
    attempt: attempt.attempt,
    signal,
    logger,
    services,
    progress: (fraction: number, message?: string) => {
      const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
      onProgress(message === undefined ? { fraction: clamped } : { fraction: clamped, message });
    },
  });
  return definition.result.parse(result);
}

/** Calls `flush` at most every `ms`, and once more with the last value when asked. */
export class Throttle<T> {
  #pending: T | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #ms: number;
  readonly #flush: (value: T) => void;

  constructor(ms: number, flush: (value: T) => void) {
    this.#ms = ms;
    this.#flush = flush;
  }

  push(value: T): void {
    this.#pending = value;
    this.#timer ??= setTimeout(() => this.flushNow(), this.#ms);
  }

  flushNow(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const value = this.#pending;
    this.#pending = undefined;
    if (value !== undefined) this.#flush(value);
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending = undefined;
  }
}
