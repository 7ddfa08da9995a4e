/** The same behaviour from both engines: one suite, run unchanged against sqlite and redis. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AuthError, defineJobType, JobValidationError, type Job } from '@camflow/core';
import { EngineRig, type EngineKind, until } from './engines.js';

/** A gate a test opens to let running jobs finish. */
class Gate {
  open = false;
  readonly #waiters: (() => void)[] = [];
  release(): void {
    this.open = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }
  wait(signal: AbortSignal): Promise<void> {
    if (this.open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push(resolve);
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
  }
}

function types(state: { laterRuns: number[]; runs: number; running: number; maxRunning: number; perCamera: Map<string, number>; maxPerCamera: number; aborted: number; gate: Gate; attemptsSeen: number[] }) {
  return [
    defineJobType({
      type: 'echo',
      params: z.strictObject({ text: z.string(), camera: z.string().optional() }),
      result: z.object({ text: z.string() }),
      async handler(params, { progress }) {
        state.runs++;
        progress(0.5, 'half way');
        return { text: params.text.toUpperCase() };
      },
    }),
    defineJobType({
      type: 'fail',
      params: z.strictObject({}),
      result: z.object({}),
      async handler(_params, { attempt }) {
        state.attemptsSeen.push(attempt);
        throw new Error(`boom ${attempt}`);
      },
    }),
    defineJobType({
      type: 'later',
      params: z.strictObject({}),
      result: z.object({ runs: z.number() }),
      async handler() {
        state.laterRuns.push(Date.now());
        // "Not yet, try in 1.5 s" (a recording still being written says when it will be whole).
        if (state.laterRuns.length === 1) throw Object.assign(new Error('not yet'), { retryAfterMs: 1500 });
        return { runs: state.laterRuns.length };
      },
    }),
    defineJobType({
      type: 'auth',
      params: z.strictObject({}),
      result: z.object({}),
      async handler() {
        state.runs++;
        throw new AuthError('front: the camera rejected the credentials');
      },
    }),
    defineJobType({
      type: 'gated',
      params: z.strictObject({ camera: z.string().optional(), n: z.number().optional() }),
      result: z.object({ ok: z.boolean() }),
      concurrency: 3,
      perCamera: 1,
      async handler(params, { signal, progress }) {
        state.running++;
        state.maxRunning = Math.max(state.maxRunning, state.running);
        const camera = params.camera ?? '';
        state.perCamera.set(camera, (state.perCamera.get(camera) ?? 0) + 1);
        if (params.camera !== undefined) state.maxPerCamera = Math.max(state.maxPerCamera, state.perCamera.get(camera) ?? 0);
        try {
          progress(0.25, 'waiting for the gate');
          await state.gate.wait(signal);
          return { ok: true };
        } catch (error) {
          if (signal.aborted) state.aborted++;
          throw error;
        } finally {
          state.running--;
          state.perCamera.set(camera, (state.perCamera.get(camera) ?? 1) - 1);
        }
      },
    }),
  ];
}

function freshState() {
  return { laterRuns: [] as number[], runs: 0, running: 0, maxRunning: 0, perCamera: new Map<string, number>(), maxPerCamera: 0, aborted: 0, gate: new Gate(), attemptsSeen: [] as number[] };
}

describe.each(['sqlite', 'redis'] as EngineKind[])('the %s engine', (kind) => {
  const rig = new EngineRig(kind);
  afterEach(() => rig.cleanup());
  afterAll(() => rig.close());

  it('runs a job to completion with its typed result and reports progress and completion', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    const completed: Job[] = [];
    engine.on('completed', (job) => void completed.push(job));
    await engine.startWorkers();
    const job = await engine.add('echo', { text: 'hello', camera: 'front' });
    expect(job).toMatchObject({ type: 'echo', camera: 'front', params: { text: 'hello', camera: 'front' } });
    expect(['waiting', 'active', 'completed']).toContain(job.state);
    const done = await until(engine, job.id, (j) => j.state === 'completed');
    expect(done).toMatchObject({ result: { text: 'HELLO' }, progress: { fraction: 1 }, attempts: 1 });
    expect(done.finishedAt).toBeInstanceOf(Date);
    await expect.poll(() => completed.map((j) => j.id)).toContain(job.id);
    expect(state.runs).toBe(1);
  });

  it('refuses bad params at add() naming the field, and stores nothing', async () => {
    const { engine } = await rig.engine(types(freshState()));
    const error = await engine.add('echo', { text: 42 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobValidationError);
    expect((error as Error).message).toMatch(/^echo job: text: /);
    await expect(engine.add('nope', {})).rejects.toThrow(/unknown job type 'nope' \(known: auth, echo, fail, gated, later\)/);
    expect(await engine.list()).toEqual([]);
  });

  it('ends a job that always fails as failed after its attempts, with the last error', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const job = await engine.add('fail', {}, { attempts: 3 });
    const failed = await until(engine, job.id, (j) => j.state === 'failed');
    expect(failed.error).toMatch(/boom 3/);
    expect(failed.attempts).toBe(3);
    expect(state.attemptsSeen).toEqual([1, 2, 3]);
  });

  it('tries again when the error says (retryAfterMs), not after the short back-off', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const job = await engine.add('later', {}, { attempts: 3 });
    const done = await until(engine, job.id, (j) => j.state === 'completed');
    expect(done.result).toEqual({ runs: 2 });
    expect(state.laterRuns[1]! - state.laterRuns[0]!).toBeGreaterThanOrEqual(1400);
  });

  it('does not retry an auth failure', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const job = await engine.add('auth', {}, { attempts: 5 });
    const failed = await until(engine, job.id, (j) => j.state === 'failed');
    expect(failed.error).toMatch(/rejected the credentials/);
    expect(state.runs).toBe(1);
  });

  it('makes adding the same dedupe key twice a no-op', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    const first = await engine.add('echo', { text: 'a' }, { dedupeKey: 'rtsp://nvr/recording/1' });
    const second = await engine.add('echo', { text: 'a' }, { dedupeKey: 'rtsp://nvr/recording/1' });
    expect(second.id).toBe(first.id);
    await engine.startWorkers();
    await until(engine, first.id, (j) => j.state === 'completed');
    const third = await engine.add('echo', { text: 'a' }, { dedupeKey: 'rtsp://nvr/recording/1' });
    expect(third.id).toBe(first.id);
    expect(state.runs).toBe(1);
    expect(await engine.list({ type: 'echo' })).toHaveLength(1);
  });

  it('cancels a running job: its signal aborts and it ends cancelled, not failed and not retried', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const job = await engine.add('gated', { n: 1 });
    await until(engine, job.id, (j) => j.state === 'active');
    await expect.poll(() => state.running).toBe(1);
    const cancelled = await engine.cancel(job.id);
    expect(cancelled?.state).toBe('cancelled');
    expect(state.aborted).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await engine.get(job.id))?.state).toBe('cancelled');
    expect(state.running).toBe(0);
  });

  it('cancels a queued job before it ever runs, and retries it on request', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    const job = await engine.add('echo', { text: 'later' }, { delayMs: 60_000 });
    expect((await engine.get(job.id))?.state).toBe('delayed');
    expect((await engine.cancel(job.id))?.state).toBe('cancelled');
    await engine.startWorkers();
    expect((await engine.list({ state: 'cancelled' })).map((j) => j.id)).toEqual([job.id]);
    expect(state.runs).toBe(0);
    const again = await engine.retry(job.id);
    expect(again?.state).not.toBe('cancelled');
    await until(engine, job.id, (j) => j.state === 'completed');
    expect(state.runs).toBe(1);
  });

  it('retries a failed job with fresh attempts', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const job = await engine.add('fail', {}, { attempts: 1 });
    await until(engine, job.id, (j) => j.state === 'failed');
    await engine.retry(job.id);
    await expect.poll(() => state.attemptsSeen.length, { timeout: 10_000 }).toBe(2);
    const failed = await until(engine, job.id, (j) => j.state === 'failed');
    expect(failed.attempts).toBe(1);
  });

  it('holds the per-type and per-camera limits under load', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const jobs = await Promise.all([
      ...Array.from({ length: 4 }, (_, n) => engine.add('gated', { camera: 'nvr', n })),
      ...Array.from({ length: 4 }, (_, n) => engine.add('gated', { n })),
    ]);
    await expect.poll(() => state.running).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(state.maxRunning).toBe(3);
    expect(state.maxPerCamera).toBe(1);
    state.gate.release();
    for (const job of jobs) await until(engine, job.id, (j) => j.state === 'completed');
    expect(state.maxRunning).toBe(3);
    expect(state.maxPerCamera).toBe(1);
  });

  it('runs higher priorities first', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state), { concurrency: { echo: 1 } });
    const order: string[] = [];
    engine.on('completed', (job) => void order.push((job.params as { text: string }).text));
    const low = await engine.add('echo', { text: 'low' }, { priority: 0 });
    const high = await engine.add('echo', { text: 'high' }, { priority: 10 });
    await engine.startWorkers();
    await until(engine, low.id, (j) => j.state === 'completed');
    await until(engine, high.id, (j) => j.state === 'completed');
    await expect.poll(() => order).toEqual(['high', 'low']);
  });

  it('lists by state, type and camera, and counts jobs and their run time in its figures', async () => {
    const state = freshState();
    const { engine } = await rig.engine(types(state));
    await engine.startWorkers();
    const a = await engine.add('echo', { text: 'a', camera: 'front' });
    const b = await engine.add('echo', { text: 'b', camera: 'back' });
    await until(engine, a.id, (j) => j.state === 'completed');
    await until(engine, b.id, (j) => j.state === 'completed');
    expect((await engine.list({ camera: 'front' })).map((j) => j.id)).toEqual([a.id]);
    expect((await engine.list({ state: 'completed', type: 'echo' })).length).toBe(2);
    const figures = await engine.figures();
    expect(figures.types['echo']).toMatchObject({ completed: 2, failed: 0, active: 0 });
    expect(figures.types['echo']?.avgMs).toBeGreaterThanOrEqual(0);
    expect(figures.eventLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
  });

  it('hands a running job back when stopped, and another worker finishes it', async () => {
    const state = freshState();
    const first = await rig.engine(types(state));
    await first.engine.startWorkers();
    const job = await first.engine.add('gated', { n: 7 });
    await until(first.engine, job.id, (j) => j.state === 'active');
    await first.engine.stop(50);
    expect(state.aborted).toBe(1);
    const second = await rig.engine(types(state), { shared: first.key });
    state.gate.release();
    await second.engine.startWorkers();
    const done = await until(second.engine, job.id, (j) => j.state === 'completed');
    // Handing back is not the job's fault: the attempt is not counted against it.
    expect(done.attempts).toBe(1);
  });
});
