import type { Job, JobEngine } from '@camflow/core';

/** Resolves with the job once it is completed, failed or cancelled; progress on the way. Ends early when `signal` aborts. */
export function settled(engine: JobEngine, id: string, signal: AbortSignal, onProgress: (job: Job) => void): Promise<Job | undefined> {
  return new Promise((resolve) => {
    const offs: (() => void)[] = [];
    const finish = (job: Job | undefined): void => {
      for (const off of offs.splice(0)) off();
      signal.removeEventListener('abort', onAbort);
      resolve(job);
    };
    const onAbort = (): void => finish(undefined);
    const mine = (listener: (job: Job) => void) => (job: Job) => {
      if (job.id === id) listener(job);
    };
    offs.push(
      engine.on('progress', mine(onProgress)),
      engine.on('completed', mine(finish)),
      engine.on('failed', mine(finish)),
      engine.on('cancelled', mine(finish)),
    );
    signal.addEventListener('abort', onAbort, { once: true });
    // It may have ended before the listeners were on.
    void engine.get(id).then((job) => {
      if (job !== undefined && ['completed', 'failed', 'cancelled'].includes(job.state)) finish(job);
    });
  });
}
