/**
 * The time limit of one HTTP request, kept apart from the client because it is its own small state
 * machine: it merges the caller's AbortSignal with a timer into the one signal undici sees, remembers
 * whether the timer (not the caller) fired so the client can answer TimeoutError rather than AbortError,
 * and lets a streaming request stop the timer once the head arrived while still following the caller.
 */
import { TimeoutError } from '../errors.js';
import type { HttpRequest } from './client.js';

/** The path without its query, as error messages name it. */
export function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q === -1 ? path : path.slice(0, q);
}

/** A per-request abort controller fed by the caller's signal and our own timer. */
export class Deadline {
  readonly signal: AbortSignal;
  timedOut = false;
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private readonly outer: AbortSignal | undefined;
  private readonly ms: number;
  /** For the message only, built if the deadline passes (not on every request). */
  private readonly request: HttpRequest;
  private readonly name: string;
  private readonly onOuterAbort = (): void => this.controller.abort(this.outer?.reason);

  constructor(ms: number, request: HttpRequest, name: string) {
    const outer = request.signal;
    this.signal = this.controller.signal;
    this.outer = outer;
    this.ms = ms;
    this.request = request;
    this.name = name;
    if (outer?.aborted === true) this.controller.abort(outer.reason);
    outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    if (ms > 0) {
      this.timer = setTimeout(() => {
        this.timedOut = true;
        this.controller.abort(this.timeoutError());
      }, ms);
    }
  }

  timeoutError(): TimeoutError {
    return new TimeoutError(`${this.request.method} ${stripQuery(this.request.path)} on ${this.name}: no answer within ${this.ms} ms`);
  }

  /** Starts the time limit anew (a new round trip begins); no-op once it passed or was cleared by the caller's abort. */
  restart(): void {
    if (this.timer === undefined || this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(this.timeoutError());
    }, this.ms);
  }

  clearTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  readonly dispose = (): void => {
    clearTimeout(this.timer);
    this.outer?.removeEventListener('abort', this.onOuterAbort);
  };
}
