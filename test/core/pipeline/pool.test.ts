import { getPriority } from 'node:os';
import { threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CpuPool } from '@camflow/core';

const pools: CpuPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

const priorityTask = new URL('../../fixtures/pool/priority.mjs', import.meta.url);
const crashTask = new URL('../../fixtures/pool/crash.mjs', import.meta.url);

describe('CpuPool', () => {
  it('runs tasks in worker threads whose priority is below the main thread', async () => {
    const pool = new CpuPool({ threads: 2 });
    pools.push(pool);
    const result = await pool.run<undefined, { nice: number; threadId: number }>(priorityTask, undefined);
    expect(result.threadId).not.toBe(threadId);
    expect(result.nice).toBeGreaterThan(getPriority(0));
  });

  it('replaces a worker thread that crashed: only its task fails', async () => {
    const pool = new CpuPool({ threads: 1 });
    pools.push(pool);
    await expect(pool.run(crashTask, undefined)).rejects.toThrow();
    const after = await pool.run<undefined, { nice: number }>(priorityTask, undefined);
    expect(after.nice).toBeGreaterThanOrEqual(0);
  });

  it('refuses work after close', async () => {
    const pool = new CpuPool({ threads: 1 });
    await pool.close();
    await expect(pool.run(priorityTask, undefined)).rejects.toThrow(/closed/);
  });
});
