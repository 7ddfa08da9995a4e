import {
  AuthError,
  ConfigError,
  ConnectionError,
  ProtocolError,
  TimeoutError,
  type CameraSyncState,
  type OverlayOutcome,
} from '@camflow/core';

/** What a sync cycle means for one overlay node: a failure to report, still failing, or healthy. */
export type SyncVerdict =
  | { kind: 'failed'; error: Error }
  | { kind: 'still-failing' }
  | { kind: 'healthy'; recovered: boolean };

/**
 * Follows whether an overlay node's part of the shared overlay sync works, cycle by cycle, so the node
 * reports a failure once when it starts (or turns into another failure), not on every cycle while the
 * camera stays down, and turns green again when the camera is back.
 */
export class SyncHealth {
  readonly #label: string;
  /** What is failing now (error code, and the overlay for an overlay's own failure); undefined: healthy. */
  #failing: string | undefined;
  /** This node's overlays that failed in the current cycle, with the engine's reason. */
  readonly #failedOverlays = new Map<number, string>();

  constructor(cameraLabel: string) {
    this.#label = cameraLabel;
  }

  get failing(): boolean {
    return this.#failing !== undefined;
  }

  /** An outcome of one of this node's overlays, as the engine reports it during a cycle. */
  outcome(outcome: OverlayOutcome): void {
    if (outcome.status === 'failed') this.#failedOverlays.set(outcome.overlayId, outcome.error ?? 'unknown error');
  }

  /** At the end of a cycle: the camera's sync state and the last error it met talking to the camera. */
  endCycle(state: CameraSyncState, cameraError: Error | undefined): SyncVerdict {
    const failed = [...this.#failedOverlays];
    this.#failedOverlays.clear();
    let problem: { key: string; error: Error } | undefined;
    if (state === 'parked' || state === 'backoff') {
      const error = this.#cameraProblem(state, cameraError);
      problem = { key: String((error as { code?: unknown }).code), error };
    } else if (failed.length > 0) {
      const [overlay, reason] = failed[0] as [number, string];
      problem = { key: `overlay ${overlay}`, error: new ConfigError(`overlay ${overlay} on camera '${this.#label}': ${reason}`) };
    }
    if (problem === undefined) {
      const recovered = this.#failing !== undefined;
      if (state === 'ok') this.#failing = undefined;
      return { kind: 'healthy', recovered: recovered && state === 'ok' };
    }
    if (problem.key === this.#failing) return { kind: 'still-failing' };
    this.#failing = problem.key;
    return { kind: 'failed', error: problem.error };
  }

  /** The camera-wide failure in words a user acts on; the error class keeps the `code` Catch flows branch on. */
  #cameraProblem(state: 'parked' | 'backoff', cause: Error | undefined): Error {
    const options = cause === undefined ? {} : { cause };
    const detail = cause === undefined ? '' : `: ${cause.message}`;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (state === 'parked' || code === 'AUTH_FAILED') {
      return new AuthError(
        `camera '${this.#label}' rejected the user name or password (auth failed); overlay sync waits before trying again so the camera does not lock the account`,
        options,
      );
    }
    if (code === 'TIMEOUT') return new TimeoutError(`camera '${this.#label}' is unreachable (no answer in time)${detail}`, options);
    if (code === 'CONNECTION_FAILED' || cause === undefined) {
      return new ConnectionError(`camera '${this.#label}' is unreachable${detail}`, options);
    }
    return new ProtocolError(`camera '${this.#label}' refused the overlay update${detail}`, options);
  }
}
