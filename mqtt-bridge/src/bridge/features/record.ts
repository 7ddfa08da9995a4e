/**
 * The record button: a manual recording of N seconds on the camera (its own storage), shown by the
 * Recording binary_sensor. Pressing again while recording extends the clip instead of restarting it.
 */
import type { CameraContext, Feature } from '../feature.js';
import type { BridgeCommand } from '../topics.js';

export class RecordFeature implements Feature {
  readonly #context: CameraContext;
  readonly #defaultSeconds: number;
  #stopTimer: NodeJS.Timeout | undefined;
  #recording = false;

  constructor(context: CameraContext, defaultSeconds: number) {
    this.#context = context;
    this.#defaultSeconds = defaultSeconds;
  }

  start(): void {
    void this.#context.publisher.state(this.#context.topics.recording, 'OFF');
  }

  async stop(): Promise<void> {
    clearTimeout(this.#stopTimer);
    this.#stopTimer = undefined;
    // Best effort: the camera would otherwise record until its own limit.
    if (this.#recording) await this.#finish(AbortSignal.timeout(2000));
  }

  async handle(command: BridgeCommand): Promise<void> {
    if (command.kind !== 'record') return;
    const c = this.#context;
    const source = c.source;
    if (source.startRecording === undefined) throw new Error('this camera cannot record on demand');
    if (!this.#recording) {
      try {
        await source.startRecording(c.callOptions());
      } catch (error) {
        c.reportFailure(error, 'start recording');
        throw error;
      }
      c.reportSuccess();
      this.#recording = true;
      await c.publisher.state(c.topics.recording, 'ON');
    }
    clearTimeout(this.#stopTimer);
    const seconds = command.seconds ?? this.#defaultSeconds;
    this.#stopTimer = setTimeout(() => void this.#finish(c.signal), seconds * 1000);
  }

  async #finish(signal: AbortSignal): Promise<void> {
    const c = this.#context;
    this.#stopTimer = undefined;
    this.#recording = false;
    try {
      await c.source.stopRecording?.({ ...c.callOptions(), signal });
    } catch (error) {
      c.reportFailure(error, 'stop recording');
    }
    await c.publisher.state(c.topics.recording, 'OFF');
  }
}
