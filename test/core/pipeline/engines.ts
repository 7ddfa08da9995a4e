/**
 * Both engines built the same way for the conformance suite: a registry with the test's job types,
 * services over no cameras (or the given ones), a temporary folder; redis on a real redis-server.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  type AnyJobType,
  CameraServices,
  type CameraConfig,
  CpuPool,
  createLogger,
  type EngineOptions,
  type JobEngine,
  JobRegistry,
  type LogRecord,
  SqliteEngine,
} from '@camflow/core';
import { RedisEngine } from '@camflow/core/pipeline/redis';
import { RedisServer } from '../../helpers/redis.js';

export type EngineKind = 'sqlite' | 'redis';

export class EngineRig {
  readonly logs: LogRecord[] = [];
  readonly logger = createLogger({ level: 'debug', sink: (r) => this.logs.push(r) });
  readonly #engines: JobEngine[] = [];
  readonly #dirs: string[] = [];
  readonly #services: CameraServices[] = [];
  readonly #pools: CpuPool[] = [];
  redis: RedisServer | undefined;

  constructor(readonly kind: EngineKind) {}

  async dir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'camflow-pipeline-'));
    this.#dirs.push(dir);
    return dir;
  }

  /** A fresh engine; `shared` reuses the database file / Redis prefix of an earlier one (a second worker). */
  async engine(types: readonly AnyJobType[], options: Partial<EngineOptions> & { cameras?: CameraConfig[]; shared?: string } = {}): Promise<{ engine: JobEngine; key: string }> {
    const registry = new JobRegistry();
    for (const type of types) registry.register(type);
    const dir = await this.dir();
    const pool = new CpuPool({ threads: 2 });
    this.#pools.push(pool);
    const services = new CameraServices({ cameras: options.cameras ?? [], mediaDir: join(dir, 'media'), dataDir: dir, logger: this.logger, pool: () => pool });
    this.#services.push(services);
    const common: EngineOptions = { registry, services, logger: this.logger, backoff: { baseMs: 20, maxMs: 100 }, leaseMs: 1500, ...options };
    let engine: JobEngine;
    let key: string;
    if (this.kind === 'sqlite') {
      key = options.shared ?? join(dir, 'jobs.sqlite');
      engine = new SqliteEngine({ ...common, file: key, pollMs: 50 });
    } else {
      if (this.redis === undefined) {
        this.redis = new RedisServer();
        await this.redis.start();
      }
      key = options.shared ?? `t${randomUUID().slice(0, 8)}`;
      const redis = new RedisEngine({ ...common, url: this.redis.url, prefix: key });
      await redis.watchEvents();
      engine = redis;
    }
    this.#engines.push(engine);
    return { engine, key };
  }

  async cleanup(): Promise<void> {
    await Promise.allSettled(this.#engines.splice(0).map((engine) => engine.stop(0)));
    await Promise.allSettled(this.#services.splice(0).map((s) => s.close()));
    await Promise.allSettled(this.#pools.splice(0).map((p) => p.close()));
    await Promise.allSettled(this.#dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }

  async close(): Promise<void> {
    await this.cleanup();
    await this.redis?.close();
    this.redis = undefined;
  }
}

/** Resolves when `predicate` holds for the job (polled: events may come from another process). */
export async function until(engine: JobEngine, id: string, predicate: (job: NonNullable<Awaited<ReturnType<JobEngine['get']>>>) => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const job = await engine.get(id);
    if (job !== undefined && predicate(job)) return job;
    if (Date.now() > end) throw new Error(`job ${id} did not get there in ${ms} ms; it is ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
