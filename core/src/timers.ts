/**
 * Waiting that a shutdown can cut short. Retry loops (the alert stream's reconnect, the bridge's
 * restart, a recording's length) must not hold a process open, or a stop() waiting for them, for the
 * rest of a back-off: the timer is cleared and the listener removed whichever way the wait ends.
 */
import { abortErrorFrom } from './errors.js';

/**
 * Resolves after `ms`, or at once when `signal` fires (or has fired). Never rejects: true when the
 * whole time passed, false when the signal ended it, for loops that check the signal themselves.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Like sleep, but an ended wait rejects with the signal's AbortError (or TimeoutError). */
export async function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (!(await sleep(ms, signal))) throw abortErrorFrom(signal);
}
