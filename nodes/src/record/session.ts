import { delay, type HikvisionClient } from '@camflow/core';

/** Time given to stop a recording when the node is closing (the flow's signal has already fired). */
const STOP_ON_CLOSE_MS = 5000;

/** When a manual recording really ran, as the camera acknowledged start and stop. */
export interface RecordingSpan {
  started: Date;
  stopped: Date;
}

export interface SessionOptions {
  client: HikvisionClient;
  track: number;
  /** Date.now() at which to stop, unless a later message extends it. */
  endsAt: number;
  signal: AbortSignal;
  /** The session before this one: this one starts once that one has stopped. */
  previous?: Promise<unknown>;
  /** Called once the camera acknowledged the start, so the node can show it. */
  onStarted: () => void;
}

/**
 * One manual recording on a track. Messages that arrive while it runs extend it to the latest end any
 * of them asked for (the MQTT bridge's record button does the same), so an earlier message's timer
 * never stops a recording a later message still wants; every message learns the real span at the stop.
 */
export class RecordingSession {
  readonly #client: HikvisionClient;
  readonly #track: number;
  #endsAt: number;
  #open = true;
  readonly #onStarted: () => void;
  readonly span: Promise<RecordingSpan>;

  /** Starts recording (after `previous` has fully stopped, so its stop cannot end this recording). */
  constructor(options: SessionOptions) {
    this.#client = options.client;
    this.#track = options.track;
    this.#endsAt = options.endsAt;
    this.#onStarted = options.onStarted;
    this.span = this.#run(options.signal, options.previous);
    // Every message awaits the span; this keeps an unawaited rejection from being reported twice.
    this.span.catch(() => undefined);
  }

  /** Moves the end later when `endsAt` is; false once the recording is stopping (start a new one). */
  extendTo(endsAt: number): boolean {
    if (!this.#open) return false;
    this.#endsAt = Math.max(this.#endsAt, endsAt);
    return true;
  }


  async #run(signal: AbortSignal, previous: Promise<unknown> | undefined): Promise<RecordingSpan> {
    try {
      await previous?.catch(() => undefined);
      await this.#client.startRecording(this.#track, { signal });
    } catch (error) {
      this.#open = false;
      throw error;
    }
    const started = new Date();
    this.#onStarted();
    try {
      // An extension moves #endsAt while we wait: wait again for the rest rather than stop early.
      for (let left = this.#endsAt - Date.now(); left > 0; left = this.#endsAt - Date.now()) await delay(left, signal);
    } finally {
      this.#open = false;
      // Stop even when the node closes mid-recording, or the camera records until someone notices.
      const stopSignal = signal.aborted ? AbortSignal.timeout(STOP_ON_CLOSE_MS) : signal;
      await this.#client.stopRecording(this.#track, { signal: stopSignal });
    }
    return { started, stopped: new Date() };
  }
}
