/**
 * Whether a failed attempt is worth another, and when. Bounded exponential back-off with jitter
 * (p-retry's shape); never again for what repeating cannot fix: rejected credentials, bad params or
 * config, a full or read-only disk, a cancel.
 */
import { AbortError, AuthError, CamflowError, type CamflowErrorOptions, ConfigError } from '../errors.js';
import { JobValidationError } from './registry.js';

/** Thrown by a handler to end the job now, whatever attempts are left. */
export class UnrecoverableJobError extends CamflowError {
  override readonly code: string = 'JOB_UNRECOVERABLE';
  constructor(message: string, options?: CamflowErrorOptions) {
    super(message, options);
  }
}

const PERMANENT_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR', 'EISDIR']);

export function isPermanent(error: unknown): boolean {
  if (error instanceof AuthError || error instanceof ConfigError || error instanceof JobValidationError) return true;
  if (error instanceof UnrecoverableJobError || error instanceof AbortError) return true;
  if ((error as { name?: unknown } | null)?.name === 'ZodError') return true;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && PERMANENT_ERRNO.has(code);
}

/**
 * When the error itself says when trying again makes sense (`retryAfterMs`: a recording that is still
 * being written is whole after its end), that time instead of the back-off.
 */
export function retryAfter(error: unknown): number | undefined {
  const ms = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

export interface BackoffOptions {
  /** First delay, default 1000 ms. */
  baseMs?: number;
  /** Longest delay, default 60 s. */
  maxMs?: number;
}

/** Delay before attempt `attempt + 1`, after `attempt` failures: base * 2^(attempt-1), half of it random. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const exponential = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential * (0.5 + 0.5 * random()));
}

/** A one-line reason for a job record: the message, with the error's code when it has one. */
export function describeJobError(error: unknown): string {
  if (error instanceof CamflowError) return `${error.message} [${error.code}]`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} [${code}]` : error.message;
  }
  return String(error);
}
