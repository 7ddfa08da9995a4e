/** Latency and jitter as the simulators inject them: a fixed delay plus a uniform random spread. */
export interface LatencyOptions {
  /** Added delay in ms (half before the answer starts, as on a real link one RTT is paid per request). */
  latencyMs?: number;
  /** Up to this many ms more, uniformly at random. */
  jitterMs?: number;
}

export function pickDelay({ latencyMs = 0, jitterMs = 0 }: LatencyOptions): number {
  return latencyMs + (jitterMs > 0 ? Math.random() * jitterMs : 0);
}

/** Resolves after `ms`, or at once with `false` when the signal aborts. Timers never keep the process up. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(signal?.aborted !== true);
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
