/**
 * A generic first-success race (RFC 8305 "Happy Eyeballs" applied to whole paths, not one host's
 * addresses). Attempts start in order, `staggerMs` apart (0 = all at once); a failure starts the next
 * at once. The first success wins; every other attempt is aborted and race() only settles once each
 * has released its resources, so a caller never inherits half-open sockets. Late successes are
 * disposed (for PPPP: CLOSE, so the camera frees one of its very few session slots).
 */
import { AbortError, TimeoutError, ensureError } from '../errors.js';
import { ipv4InCidrs } from './cidr.js';
import {
  type AttemptReport,
  type AttemptReporter,
  type RaceAttempt,
  type RaceOptions,
  type RaceResult,
  RaceError,
  defaultRaceMemory,
} from './types.js';

interface Entry<T> {
  attempt: RaceAttempt<T>;
  report: AttemptReport;
  controller: AbortController;
  startedAt: number;
  settled?: Promise<void>;
}

/** Orders attempts: the remembered winner first, then by mode weight (higher first), stable otherwise. */
export function orderAttempts<T>(attempts: readonly RaceAttempt<T>[], options: RaceOptions = {}): RaceAttempt<T>[] {
  const memory = options.memory ?? defaultRaceMemory;
  const last = options.target === undefined ? undefined : memory.lastWinner(options.target)?.name;
  const weight = (a: RaceAttempt<T>): number => (a.name === last ? Infinity : (options.weights?.[a.mode] ?? 0));
  return attempts
    .map((attempt, index) => ({ attempt, index }))
    .sort((x, y) => weight(y.attempt) - weight(x.attempt) || x.index - y.index)
    .map((x) => x.attempt);
}

export function race<T>(attempts: readonly RaceAttempt<T>[], options: RaceOptions = {}): Promise<RaceResult<T>> {
  const names = new Set(attempts.map((a) => a.name));
  if (names.size !== attempts.length) return Promise.reject(new TypeError('race(): attempt names must be unique'));
  if ((options.staggerMs ?? 0) < 0) return Promise.reject(new RangeError('race(): staggerMs must be >= 0'));
  return new RaceRun(orderAttempts(attempts, options), options).run();
}

class RaceRun<T> {
  readonly #entries: Entry<T>[];
  readonly #options: RaceOptions;
  readonly #start = performance.now();
  readonly #disposals: Promise<void>[] = [];
  #next = 0;
  #decided = false;
  #held: { entry: Entry<T>; value: T } | undefined;
  #staggerTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #resolve!: (result: RaceResult<T>) => void;
  #reject!: (error: unknown) => void;

  constructor(attempts: RaceAttempt<T>[], options: RaceOptions) {
    this.#options = options;
    this.#entries = attempts.map((attempt) => ({
      attempt,
      report: { mode: attempt.mode, state: 'pending', retries: 0 },
      controller: new AbortController(),
      startedAt: 0,
    }));
  }

  run(): Promise<RaceResult<T>> {
    return new Promise<RaceResult<T>>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      const signal = this.#options.signal;
      if (signal?.aborted === true) return this.#fail(new AbortError('race aborted before it started', { cause: signal.reason }), 'ABORTED');
      if (this.#entries.length === 0) return this.#fail(undefined, 'RACE_FAILED');
      signal?.addEventListener('abort', this.#onAbort, { once: true });
      if (this.#options.deadlineMs !== undefined) {
        const ms = this.#options.deadlineMs;
        this.#deadlineTimer = setTimeout(() => this.#onDeadline(ms), ms);
      }
      this.#launchNext();
    });
  }

  #onAbort = (): void => {
    if (this.#decided) return;
    this.#fail(new AbortError('race aborted', { cause: this.#options.signal?.reason }), 'ABORTED');
  };

  #onDeadline(ms: number): void {
    if (this.#decided) return;
    // A success held back for the LAN preference is still a success: take it rather than fail.
    if (this.#held !== undefined) return this.#win(this.#held.entry, this.#held.value);
    this.#fail(new TimeoutError(`no path connected within ${ms} ms`), 'TIMEOUT');
  }

  #launchNext(): void {
    clearTimeout(this.#staggerTimer);
    if (this.#decided) return;
    const stagger = this.#options.staggerMs ?? 0;
    do {
      const entry = this.#entries[this.#next++];
      if (entry === undefined) return;
      this.#launch(entry);
    } while (stagger === 0);
    if (this.#next < this.#entries.length) this.#staggerTimer = setTimeout(() => this.#launchNext(), stagger);
  }

  #launch(entry: Entry<T>): void {
    entry.report.state = 'running';
    entry.startedAt = performance.now();
    const reporter: AttemptReporter = {
      setLocalPort: (port) => void (entry.report.localPort = port),
      setDestination: (port, address) => {
        entry.report.destinationPort = port;
        if (address !== undefined) entry.report.destinationAddress = address;
      },
      addRetry: () => void entry.report.retries++,
    };
    let started: Promise<T>;
    try {
      started = entry.attempt.run(entry.controller.signal, reporter);
    } catch (error) {
      started = Promise.reject(ensureError(error));
    }
    entry.settled = started.then(
      (value) => this.#onSuccess(entry, value),
      (error: unknown) => this.#onFailure(entry, ensureError(error)),
    );
  }

  #elapsed(entry: Entry<T>): void {
    entry.report.elapsedMs = round(performance.now() - entry.startedAt);
  }

  #onSuccess(entry: Entry<T>, value: T): void {
    this.#elapsed(entry);
    if (this.#decided) return this.#discard(entry, value, 'cancelled');
    const cidrs = this.#options.allowedCidrs;
    const address = entry.report.destinationAddress;
    if (cidrs !== undefined && (address === undefined || !ipv4InCidrs(address, cidrs))) {
      this.#discard(entry, value, 'failed');
      return this.#onFailure(entry, new AbortError(`destination ${address ?? '(unknown)'} is outside the allowed networks`), true);
    }
    if (this.#isPreferred(entry) || !this.#preferredStillLive()) return this.#win(entry, value);
    if (this.#held !== undefined) return this.#discard(entry, value, 'cancelled');
    // A P2P/relay success while a LAN path may still answer: hold it for the grace period.
    entry.report.state = 'success';
    this.#held = { entry, value };
    this.#graceTimer = setTimeout(() => this.#releaseHeld(), this.#options.prefer?.graceMs ?? 0);
  }

  #onFailure(entry: Entry<T>, error: Error, alreadyElapsed = false): void {
    if (!alreadyElapsed) this.#elapsed(entry);
    const cancelled = entry.controller.signal.aborted;
    entry.report.state = cancelled ? 'cancelled' : 'failed';
    if (!cancelled || !(error instanceof AbortError)) entry.report.error = error.message;
    (entry as Entry<T> & { error?: Error }).error = error;
    if (this.#decided) return;
    if (this.#held !== undefined && !this.#preferredStillLive()) return this.#releaseHeld();
    if (this.#entries.some((e) => e.report.state === 'running' || e.report.state === 'pending')) {
      if (this.#next < this.#entries.length) this.#launchNext();
      return;
    }
    if (this.#held !== undefined) return this.#releaseHeld();
    this.#fail(undefined, 'RACE_FAILED');
  }

  #isPreferred(entry: Entry<T>): boolean {
    const prefer = this.#options.prefer;
    return prefer === undefined || prefer.modes.includes(entry.attempt.mode);
  }

  #preferredStillLive(): boolean {
    return this.#entries.some(
      (e) => this.#isPreferred(e) && (e.report.state === 'running' || e.report.state === 'pending'),
    );
  }

  #releaseHeld(): void {
    const held = this.#held;
    if (held === undefined || this.#decided) return;
    this.#win(held.entry, held.value);
  }

  #discard(entry: Entry<T>, value: T, state: 'cancelled' | 'failed'): void {
    entry.report.state = state;
    const dispose = entry.attempt.dispose;
    if (dispose === undefined) return;
    this.#disposals.push(
      Promise.resolve()
        .then(() => dispose.call(entry.attempt, value))
        .catch(() => {}),
    );
  }

  #win(entry: Entry<T>, value: T): void {
    if (this.#held !== undefined && this.#held.entry !== entry) this.#discard(this.#held.entry, this.#held.value, 'cancelled');
    this.#held = undefined;
    entry.report.state = 'success';
    this.#finish(() => {
      const report = this.#report();
      const result: RaceResult<T> = {
        value,
        report: { winner: entry.attempt.name, mode: entry.attempt.mode, ...report },
      };
      if (entry.report.localPort !== undefined) result.report.localPort = entry.report.localPort;
      if (entry.report.destinationPort !== undefined) result.report.destinationPort = entry.report.destinationPort;
      if (this.#options.target !== undefined) {
        (this.#options.memory ?? defaultRaceMemory).remember(this.#options.target, entry.attempt.name, report.elapsedMs);
      }
      this.#resolve(result);
    }, entry);
  }

  #fail(cause: Error | undefined, code: string): void {
    this.#finish(() => {
      const errors = this.#entries.flatMap((e) => {
        const error = (e as Entry<T> & { error?: Error }).error;
        return error === undefined ? [] : [error];
      });
      if (cause !== undefined) errors.push(cause);
      const message =
        cause?.message ?? (this.#entries.length === 0 ? 'nothing to race' : `every path failed (${this.#entries.length} tried)`);
      this.#reject(new RaceError(errors, message, this.#report(), code));
    });
  }

  /** Stops everything, waits until each attempt has released its resources, then settles. */
  #finish(settle: () => void, winner?: Entry<T>): void {
    this.#decided = true;
    clearTimeout(this.#staggerTimer);
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#deadlineTimer);
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    const pending: Promise<void>[] = [];
    for (const entry of this.#entries) {
      if (entry === winner) continue;
      if (entry.report.state === 'pending') entry.report.state = 'not_started';
      if (entry.report.state === 'running') {
        entry.controller.abort(new AbortError(winner === undefined ? 'race ended' : `lost the race to ${winner.attempt.name}`));
        if (entry.settled !== undefined) pending.push(entry.settled);
      }
    }
    void Promise.allSettled(pending)
      .then(() => Promise.allSettled(this.#disposals))
      .then(settle);
  }

  #report(): { elapsedMs: number; attempts: Record<string, AttemptReport> } {
    const attempts: Record<string, AttemptReport> = {};
    for (const entry of this.#entries) attempts[entry.attempt.name] = entry.report;
    return { elapsedMs: round(performance.now() - this.#start), attempts };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
