import { describe, expect, it } from 'vitest';
import { AbortError, TimeoutError, delay, sleep } from '@camflow/core';

describe('sleep and delay', () => {
  it('sleep resolves true when the whole time passed', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBe(true);
  });

  it('sleep resolves false at once for a signal that already fired', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(sleep(60_000, controller.signal)).resolves.toBe(false);
  });

  it('sleep resolves false when the signal fires during a long wait', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBe(false);
  });

  it('delay resolves after the time and rejects with the AbortError of an ended wait', async () => {
    await expect(delay(1, new AbortController().signal)).resolves.toBeUndefined();
    const controller = new AbortController();
    const waited = delay(60_000, controller.signal);
    controller.abort();
    await expect(waited).rejects.toBeInstanceOf(AbortError);
  });

  it('delay rejects with a TimeoutError when the signal is a timeout', async () => {
    const controller = new AbortController();
    controller.abort(new TimeoutError('deadline passed'));
    await expect(delay(60_000, controller.signal)).rejects.toBeInstanceOf(TimeoutError);
  });
});
