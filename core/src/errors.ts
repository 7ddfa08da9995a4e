/**
 * One error hierarchy for all of camflow. Every error has a stable, machine-readable `code` (front-ends
 * branch on it; messages may change) and keeps its `cause`. Subclasses set `code` through a class field,
 * the way undici does, so `instanceof` and `code` always agree.
 */
import { redactText } from './log.js';

export interface CamflowErrorOptions {
  cause?: unknown;
}

export class CamflowError extends Error {
  readonly code: string = 'CAMFLOW_ERROR';

  constructor(message: string, options?: CamflowErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Wrong credentials, or a camera that refuses us (locked out, parked after failures). Never retried blindly. */
export class AuthError extends CamflowError {
  override readonly code: string = 'AUTH_FAILED';
}

/** Something took longer than it was given. The message says what was waited for. */
export class TimeoutError extends CamflowError {
  override readonly code: string = 'TIMEOUT';
}

/** The peer could not be reached or the connection broke. */
export class ConnectionError extends CamflowError {
  override readonly code: string = 'CONNECTION_FAILED';
}

/** The peer answered, but not in the protocol we speak (malformed XML, a bad packet, an unexpected status). */
export class ProtocolError extends CamflowError {
  override readonly code: string = 'PROTOCOL_ERROR';
}

/** One problem in a configuration: where it is and what is wrong. The value is masked for secrets. */
export interface ConfigIssue {
  /** Dotted path, e.g. `cameras[0].port`. Empty for the document as a whole. */
  path: string;
  message: string;
  /** The offending value as text (masked for secrets); absent when there is none (a missing key). */
  value?: string;
  /** 1-based line in the source file, when known. */
  line?: number;
}

/** A configuration that cannot be used. Carries every problem at once, not just the first. */
export class ConfigError extends CamflowError {
  override readonly code: string = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(message: string, issues: readonly ConfigIssue[] = [], options?: CamflowErrorOptions) {
    super(issues.length === 0 ? message : `${message}\n${issues.map(formatConfigIssue).join('\n')}`, options);
    this.issues = issues;
  }
}

/** One issue as a line. Redacted: a bad value may hold a secret (a password in a broker URL). */
export function formatConfigIssue(issue: ConfigIssue): string {
  const where = issue.path === '' ? '(root)' : issue.path;
  const line = issue.line === undefined ? '' : ` (line ${issue.line})`;
  const value = issue.value === undefined ? '' : ` (got ${issue.value})`;
  return redactText(`  - ${where}${line}: ${issue.message}${value}`);
}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends CamflowError {
  override readonly code: string = 'ABORTED';

  constructor(message = 'The operation was aborted', options?: CamflowErrorOptions) {
    super(message, options);
  }
}

/** Turns anything thrown into an Error, keeping Errors as they are and the original as `cause`. */
export function ensureError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new CamflowError(value, { cause: value });
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return new CamflowError(`Non-error thrown: ${text}`, { cause: value });
}

/** True for an abort, whether it came as our AbortError or as the platform's DOMException/AbortError. */
export function isAbortError(error: unknown): boolean {
  if (error instanceof AbortError) return true;
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: unknown }).code === 'ABORT_ERR');
}

/** Throws an AbortError carrying the signal's reason if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw abortErrorFrom(signal);
}

export function abortErrorFrom(signal: AbortSignal): AbortError | TimeoutError {
  const reason: unknown = signal.reason;
  if (reason instanceof TimeoutError || reason instanceof AbortError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new TimeoutError(reason.message, { cause: reason });
  }
  return new AbortError(undefined, { cause: reason });
}
