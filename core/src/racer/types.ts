/** Types of the generic connection racer (see race.ts). */

export type AttemptState = 'pending' | 'running' | 'success' | 'failed' | 'cancelled' | 'not_started';

/** What an attempt tells the racer while it runs, so the report can say why a connection was slow. */
export interface AttemptReporter {
  /** The local port of the attempt's own socket. */
  setLocalPort(port: number): void;
  /** Where the attempt is talking to now (it may walk a port list). */
  setDestination(port: number, address?: string): void;
  /** One more resend (a repeated probe, the next port in a list). */
  addRetry(): void;
}

export interface RaceAttempt<T> {
  /** Unique within one race: `lan`, `direct:40611`, `relay`. */
  name: string;
  /** The kind of path (`lan`, `direct`, `p2p`, `relay`, `http`...): used for ordering and policy. */
  mode: string;
  /**
   * Runs the attempt. Must settle soon after `signal` aborts, and must have released everything it
   * opened (sockets, timers) by the time its promise settles: race() waits for that.
   */
  run(signal: AbortSignal, report: AttemptReporter): Promise<T>;
  /**
   * Releases a success that is not used (it finished after the winner, or the policy rejected it),
   * e.g. sends CLOSE so the device frees its session slot. Awaited before race() settles.
   */
  dispose?(value: T): Promise<void> | void;
}

export interface AttemptReport {
  mode: string;
  state: AttemptState;
  localPort?: number;
  destinationPort?: number;
  destinationAddress?: string;
  retries: number;
  elapsedMs?: number;
  error?: string;
}

export interface RaceReport {
  winner: string;
  mode: string;
  elapsedMs: number;
  localPort?: number;
  destinationPort?: number;
  attempts: Record<string, AttemptReport>;
}

export interface RaceResult<T> {
  value: T;
  report: RaceReport;
}

/** Keep media on the LAN: a success of another mode is held for `graceMs` in case a preferred one answers. */
export interface PreferencePolicy {
  /** Modes that count as "LAN", e.g. `['lan', 'direct']`. */
  modes: readonly string[];
  /** How long a non-preferred success waits for a preferred one. 0 = take it at once. */
  graceMs: number;
}

export interface RaceOptions {
  /**
   * Delay between attempt starts (Happy Eyeballs). 0 = start all at once. A failing attempt starts
   * the next one at once. Default 0.
   */
  staggerMs?: number;
  /** Gives up after this long (every running attempt is cancelled). Default: none. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Higher weight goes first; modes not listed weigh 0. The remembered winner goes before all. */
  weights?: Readonly<Record<string, number>>;
  /** The target (camera id, host) whose last winner is remembered in `memory`. */
  target?: string;
  /** Where winners are remembered. Default: a process-wide memory (only used when `target` is set). */
  memory?: RaceMemory;
  prefer?: PreferencePolicy;
  /**
   * Accept only winners whose destination address (from `setDestination`) lies in one of these IPv4
   * CIDRs (e.g. `['192.168.0.0/16']`); other successes are disposed and count as failed.
   */
  allowedCidrs?: readonly string[];
}

/** Remembers the last winner per target, so the usual path goes first next time. */
export class RaceMemory {
  readonly #winners = new Map<string, { name: string; elapsedMs: number }>();

  remember(target: string, name: string, elapsedMs: number): void {
    this.#winners.set(target, { name, elapsedMs });
  }

  lastWinner(target: string): { name: string; elapsedMs: number } | undefined {
    return this.#winners.get(target);
  }

  forget(target?: string): void {
    if (target === undefined) this.#winners.clear();
    else this.#winners.delete(target);
  }
}

export const defaultRaceMemory = new RaceMemory();

/** Every attempt failed, or the deadline passed, or the caller aborted. Carries every cause and the report. */
export class RaceError extends AggregateError {
  readonly code: string;
  readonly report: Omit<RaceReport, 'winner' | 'mode'>;

  constructor(errors: Error[], message: string, report: Omit<RaceReport, 'winner' | 'mode'>, code = 'RACE_FAILED') {
    super(errors, message);
    this.name = 'RaceError';
    this.code = code;
    this.report = report;
  }
}
