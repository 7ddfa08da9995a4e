/**
 * The embedded engine: jobs in one node:sqlite file (WAL) in the data folder, no server to install.
 * Several processes may share the file (the bridge and `camflow worker`s on the same machine): a
 * claim is one UPDATE ... RETURNING, atomic in SQLite, that also checks the per-camera limit.
 *
 * At-least-once with leases: a running job's lease is renewed by a heartbeat; a job whose lease ran
 * out goes back to the queue, and a worker that starts on the same machine takes back at once the
 * jobs of a process that is gone. Other processes see changes by polling the file.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type * as NodeSqlite from 'node:sqlite';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { createRequire } from 'node:module';
import { ensureError } from '../errors.js';
import { EngineBase, type EngineOptions, type Outcome, DEFAULT_LEASE_MS, DEFAULT_RETENTION_MS } from './engine-base.js';
import { durationFigures, emptyFigures, LoopDelay } from './figures.js';
import { cameraOf } from './registry.js';
import { describeJobError } from './retry.js';
import { runAttempt, Throttle } from './run-job.js';
import { jobFromRow, type JobRow, SCHEMA } from './sqlite-schema.js';
import type { AddOptions, Job, JobEngine, JobProgress, ListFilter, PipelineFigures, WorkerOptions } from './types.js';

export interface SqliteEngineOptions extends EngineOptions {
  /** The database file (created with its folder). */
  file: string;
  /** How often idle workers look for new work added by other processes; default 500 ms. */
  pollMs?: number;
}

interface Running {
  controller: AbortController;
  /** Why the signal was aborted, decided by whoever aborted it. */
  reason?: 'cancel' | 'hand-back' | 'lease-lost';
  done: Promise<void>;
}

const FINISHED = "('completed','failed','cancelled')";
/** Host and pid in the worker id: a worker on the same host can tell a dead process's jobs. */
const HOST = hostname();

export class SqliteEngine extends EngineBase implements JobEngine {
  readonly kind = 'sqlite';
  readonly #file: string;
  readonly #workerId = `${HOST}:${process.pid}:${randomUUID().slice(0, 8)}`;
  readonly #running = new Map<string, Running>();
  readonly #perType = new Map<string, number>();
  readonly #leaseMs: number;
  readonly #pollMs: number;
  #db: DatabaseSync | undefined;
  #statements: Map<string, StatementSync> | undefined;
  #loopDelay: LoopDelay | undefined;
  #timers: NodeJS.Timeout[] = [];
  #types: string[] = [];
  #workers: WorkerOptions | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: SqliteEngineOptions) {
    super(options);
    this.#file = options.file;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#pollMs = options.pollMs ?? 500;
  }

  async add<P>(type: string, params: P, options: AddOptions = {}): Promise<Job> {
    const checked = this.options.registry.parseParams(type, params);
    const db = this.#open();
    if (options.dedupeKey !== undefined) {
      const existing = this.#stmt('SELECT * FROM jobs WHERE dedupe_key = ?').get(options.dedupeKey) as unknown as JobRow | undefined;
      if (existing !== undefined) return jobFromRow(existing);
    }
    const now = Date.now();
    const row = this.#stmt(
      `INSERT INTO jobs (id, type, camera, params, state, priority, max_attempts, run_at, dedupe_key, created_at)
       VALUES (?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
    ).get(
      randomUUID(),
      type,
      cameraOf(checked) ?? null,
      JSON.stringify(checked),
      options.priority ?? 0,
      this.attemptsFor(type, options.attempts),
      now + Math.max(0, options.delayMs ?? 0),
      options.dedupeKey ?? null,
      now,
    ) as unknown as JobRow | undefined;
    void db;
    // Lost a race with another process adding the same key: theirs is the job.
    const stored = row ?? (this.#stmt('SELECT * FROM jobs WHERE dedupe_key = ?').get(options.dedupeKey ?? null) as unknown as JobRow);
    const job = jobFromRow(stored);
    if (row !== undefined) {
      this.emit('added', job);
      this.#wake?.();
    }
    return job;
  }

  async get(id: string): Promise<Job | undefined> {
    const row = this.#stmt('SELECT * FROM jobs WHERE id = ?').get(id) as unknown as JobRow | undefined;
    return row === undefined ? undefined : jobFromRow(row);
  }

  async list(filter: ListFilter = {}): Promise<Job[]> {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const now = Date.now();
    const when = (sql: string, value: string | number): void => {
      where.push(sql);
      args.push(value);
    };
    if (filter.state === 'delayed') when("state = 'waiting' AND run_at > ?", now);
    else if (filter.state === 'waiting') when("state = 'waiting' AND run_at <= ?", now);
    else if (filter.state !== undefined) when('state = ?', filter.state);
    if (filter.type !== undefined) when('type = ?', filter.type);
    if (filter.camera !== undefined) when('camera = ?', filter.camera);
    const sql = `SELECT * FROM jobs ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    args.push(filter.limit ?? 200);
    this.#open();
    return (this.#db?.prepare(sql).all(...args) as unknown as JobRow[]).map((row) => jobFromRow(row, now));
  }

  async cancel(id: string): Promise<Job | undefined> {
    const now = Date.now();
    const queued = this.#stmt(`UPDATE jobs SET state = 'cancelled', finished_at = ?, error = 'cancelled' WHERE id = ? AND state = 'waiting' RETURNING *`).get(now, id) as
      | JobRow
      | undefined;
    if (queued !== undefined) {
      const job = jobFromRow(queued);
      this.emit('cancelled', job);
      return job;
    }
    // Running: here, abort it now; elsewhere, its worker's heartbeat sees the request.
    this.#stmt(`UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'active'`).run(id);
    const running = this.#running.get(id);
    if (running !== undefined) {
      running.reason ??= 'cancel';
      running.controller.abort(new Error('cancelled'));
      await running.done;
    }
    return this.get(id);
  }

  async retry(id: string): Promise<Job | undefined> {
    const row = this.#stmt(
      `UPDATE jobs SET state = 'waiting', attempts = 0, run_at = ?, error = NULL, result = NULL, progress = 0, message = NULL,
       finished_at = NULL, started_at = NULL, cancel_requested = 0 WHERE id = ? AND state IN ('failed', 'cancelled') RETURNING *`,
    ).get(Date.now(), id) as unknown as JobRow | undefined;
    if (row === undefined) return this.get(id);
    this.#wake?.();
    return jobFromRow(row);
  }

  async figures(): Promise<PipelineFigures> {
    const now = Date.now();
    const types: PipelineFigures['types'] = {};
    for (const type of this.options.registry.types()) types[type] = emptyFigures();
    const counts = this.#stmt(
      `SELECT type, CASE WHEN state = 'waiting' AND run_at > ? THEN 'delayed' ELSE state END AS s, count(*) AS n FROM jobs GROUP BY type, s`,
    ).all(now) as unknown as { type: string; s: keyof ReturnType<typeof emptyFigures>; n: number }[];
    for (const { type, s, n } of counts) (types[type] ??= emptyFigures())[s] = n;
    for (const type of Object.keys(types)) {
      const durations = this.#stmt(
        `SELECT finished_at - started_at AS ms FROM jobs WHERE type = ? AND state = 'completed' ORDER BY finished_at DESC LIMIT 500`,
      ).all(type) as unknown as { ms: number }[];
      Object.assign(types[type] ?? {}, durationFigures(durations.map((d) => d.ms)));
    }
    this.#loopDelay ??= new LoopDelay();
    const delay = this.#loopDelay.get();
    return { types, eventLoopDelayP99Ms: delay.p99, eventLoopDelayMaxMs: delay.max };
  }

  async startWorkers(workers: WorkerOptions = {}): Promise<void> {
    if (this.#loop !== undefined) return;
    this.#open();
    this.#types = this.workerTypes(workers);
    this.#workers = workers;
    this.#loopDelay ??= new LoopDelay();
    this.#reclaimFromDeadProcesses();
    const heartbeat = setInterval(() => this.#heartbeat(), Math.max(50, Math.floor(this.#leaseMs / 3)));
    const maintenance = setInterval(() => this.#maintain(), Math.max(100, Math.min(this.#leaseMs, 10_000)));
    this.#timers.push(heartbeat, maintenance);
    this.#loop = this.#claimLoop();
  }

  async stop(graceMs = 10_000): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    if (this.#running.size > 0) {
      const all = Promise.all([...this.#running.values()].map((r) => r.done));
      const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([all, timer]);
      for (const running of this.#running.values()) {
        running.reason ??= 'hand-back';
        running.controller.abort(new Error('worker stopping'));
      }
      await all;
    }
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    this.#loopDelay?.stop();
    this.#loopDelay = undefined;
    this.#statements?.clear();
    this.#db?.close();
    this.#db = undefined;
  }

  #open(): DatabaseSync {
    if (this.#db !== undefined) return this.#db;
    mkdirSync(dirname(this.#file), { recursive: true });
    // Loaded here, not at import: importing core must not load node:sqlite (and its warning).
    const { DatabaseSync: Database } = createRequire(import.meta.url)('node:sqlite') as typeof NodeSqlite;
    const db = new Database(this.#file);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;');
    db.exec(SCHEMA);
    this.#db = db;
    this.#statements = new Map();
    return db;
  }

  #stmt(sql: string): StatementSync {
    const db = this.#open();
    let statement = this.#statements?.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      this.#statements?.set(sql, statement);
    }
    return statement;
  }

  async #claimLoop(): Promise<void> {
    while (!this.#stopping) {
      let claimed = false;
      for (const type of this.#types) {
        while (!this.#stopping && (this.#perType.get(type) ?? 0) < this.concurrencyFor(type, this.#workers ?? {})) {
          const row = this.#claim(type);
          if (row === undefined) break;
          claimed = true;
          this.#start(row);
        }
      }
      if (this.#stopping) break;
      if (!claimed) await this.#idle();
    }
  }

  #claim(type: string): JobRow | undefined {
    const now = Date.now();
    const perCamera = this.perCameraFor(type) ?? -1;
    try {
      return this.#stmt(
        `UPDATE jobs SET state = 'active', attempts = attempts + 1, lease_until = ?, worker = ?, started_at = ?, progress = 0, message = NULL
         WHERE id = (SELECT j.id FROM jobs j WHERE j.state = 'waiting' AND j.type = ? AND j.run_at <= ?
           AND (? < 0 OR j.camera IS NULL OR (SELECT count(*) FROM jobs a WHERE a.state = 'active' AND a.type = j.type AND a.camera = j.camera) < ?)
           ORDER BY j.priority DESC, j.run_at, j.created_at LIMIT 1)
         RETURNING *`,
      ).get(now + this.#leaseMs, this.#workerId, now, type, now, perCamera, perCamera) as unknown as JobRow | undefined;
    } catch (error) {
      this.logger.warn(`pipeline: could not claim a ${type} job: ${ensureError(error).message}`);
      return undefined;
    }
  }

  /** Sleeps until work is added here, a job ends, or the poll interval (work from other processes) is up. */
  async #idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.#pollMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    });
    this.#wake = undefined;
  }

  #start(row: JobRow): void {
    const job = jobFromRow(row);
    const controller = new AbortController();
    const running: Running = { controller, done: Promise.resolve() };
    this.#running.set(job.id, running);
    this.#perType.set(job.type, (this.#perType.get(job.type) ?? 0) + 1);
    this.emit('progress', job);
    running.done = this.#execute(job, running).finally(() => {
      this.#running.delete(job.id);
      this.#perType.set(job.type, (this.#perType.get(job.type) ?? 1) - 1);
      this.#wake?.();
    });
  }

  async #execute(job: Job, running: Running): Promise<void> {
    const definition = this.options.registry.get(job.type);
    const logger = this.logger.child(job.type);
    const progress = new Throttle<JobProgress>(200, (p) => {
      this.#stmt(`UPDATE jobs SET progress = ?, message = ? WHERE id = ? AND worker = ? AND state = 'active'`).run(p.fraction, p.message ?? null, job.id, this.#workerId);
      this.emit('progress', { ...job, progress: p });
    });
    let outcome: Outcome;
    try {
      const result = await runAttempt(definition, { ...job, attempt: job.attempts }, this.options.services, running.controller.signal, (p) => progress.push(p), logger);
      outcome = running.controller.signal.aborted ? this.#abortOutcome(running) : { kind: 'completed', result };
    } catch (error) {
      outcome = running.controller.signal.aborted ? this.#abortOutcome(running) : this.failure(error, job.attempts, job.maxAttempts);
    } finally {
      progress.dispose();
    }
    this.#finish(job, outcome);
  }

  #abortOutcome(running: Running): Outcome {
    if (running.reason === 'cancel') return { kind: 'cancelled' };
    if (running.reason === 'lease-lost') return { kind: 'handed-back' };
    return { kind: 'handed-back' };
  }

  #finish(job: Job, outcome: Outcome): void {
    const now = Date.now();
    const mine = 'WHERE id = ? AND worker = ? AND state = ?';
    let row: JobRow | undefined;
    switch (outcome.kind) {
      case 'completed':
        row = this.#stmt(`UPDATE jobs SET state = 'completed', result = ?, progress = 1, finished_at = ?, lease_until = NULL, error = NULL ${mine} RETURNING *`).get(
          JSON.stringify(outcome.result ?? null),
          now,
          job.id,
          this.#workerId,
          'active',
        ) as unknown as JobRow | undefined;
        if (row !== undefined) this.emit('completed', jobFromRow(row));
        return;
      case 'cancelled':
        row = this.#stmt(`UPDATE jobs SET state = 'cancelled', error = 'cancelled', finished_at = ?, lease_until = NULL ${mine} RETURNING *`).get(
          now,
          job.id,
          this.#workerId,
          'active',
        ) as unknown as JobRow | undefined;
        if (row !== undefined) this.emit('cancelled', jobFromRow(row));
        return;
      case 'handed-back':
        // Not the job's fault: the attempt is given back too.
        this.#stmt(`UPDATE jobs SET state = 'waiting', attempts = max(0, attempts - 1), lease_until = NULL, worker = NULL, run_at = ? ${mine}`).run(now, job.id, this.#workerId, 'active');
        return;
      case 'failed': {
        const message = describeJobError(outcome.error);
        if (outcome.retryInMs !== undefined) {
          row = this.#stmt(`UPDATE jobs SET state = 'waiting', error = ?, run_at = ?, lease_until = NULL, worker = NULL ${mine} RETURNING *`).get(
            message,
            now + outcome.retryInMs,
            job.id,
            this.#workerId,
            'active',
          ) as unknown as JobRow | undefined;
          if (row !== undefined) {
            this.logger.warn(`${job.type} job ${job.id}: attempt ${job.attempts} of ${job.maxAttempts} failed (${message}); again in ${Math.round(outcome.retryInMs / 100) / 10} s`);
            this.emit('retrying', { ...jobFromRow(row), retryInMs: outcome.retryInMs });
          }
          return;
        }
        row = this.#stmt(`UPDATE jobs SET state = 'failed', error = ?, finished_at = ?, lease_until = NULL ${mine} RETURNING *`).get(
          message,
          now,
          job.id,
          this.#workerId,
          'active',
        ) as unknown as JobRow | undefined;
        if (row !== undefined) {
          this.logger.warn(`${job.type} job ${job.id} failed after ${job.attempts} attempt(s): ${message}`);
          this.emit('failed', jobFromRow(row));
        }
      }
    }
  }

  /** Renews the leases of running jobs; a job cancelled elsewhere, or taken from us, stops. */
  #heartbeat(): void {
    if (this.#db === undefined) return;
    const until = Date.now() + this.#leaseMs;
    for (const [id, running] of this.#running) {
      if (running.controller.signal.aborted) continue;
      const row = this.#stmt(`UPDATE jobs SET lease_until = ? WHERE id = ? AND worker = ? AND state = 'active' RETURNING cancel_requested`).get(
        until,
        id,
        this.#workerId,
      ) as unknown as { cancel_requested: number } | undefined;
      if (row === undefined) {
        running.reason = 'lease-lost';
        running.controller.abort(new Error('lease lost'));
      } else if (row.cancel_requested === 1) {
        running.reason = 'cancel';
        running.controller.abort(new Error('cancelled'));
      }
    }
  }

  /** Expired leases back to the queue (or failed, when out of attempts); old finished jobs removed. */
  #maintain(): void {
    if (this.#db === undefined) return;
    const now = Date.now();
    try {
      this.#stmt(
        `UPDATE jobs SET state = 'failed', error = 'its worker stopped (lease expired) on the last attempt', finished_at = ?, lease_until = NULL
         WHERE state = 'active' AND lease_until < ? AND attempts >= max_attempts`,
      ).run(now, now);
      const back = this.#stmt(`UPDATE jobs SET state = 'waiting', lease_until = NULL, worker = NULL, run_at = ? WHERE state = 'active' AND lease_until < ?`).run(now, now);
      if (Number(back.changes) > 0) {
        this.logger.info(`pipeline: ${back.changes} job(s) of a stopped worker queued again`);
        this.#wake?.();
      }
      const retention = this.options.retentionMs ?? DEFAULT_RETENTION_MS;
      this.#stmt(`DELETE FROM jobs WHERE state IN ${FINISHED} AND finished_at < ?`).run(now - retention);
    } catch (error) {
      this.logger.warn(`pipeline: maintenance failed: ${ensureError(error).message}`);
    }
  }

  /** Jobs held by a process on this host that no longer exists go back to the queue at once. */
  #reclaimFromDeadProcesses(): void {
    const rows = this.#stmt(`SELECT id, worker FROM jobs WHERE state = 'active' AND worker LIKE ?`).all(`${HOST}:%`) as unknown as { id: string; worker: string }[];
    for (const { id, worker } of rows) {
      const pid = Number(worker.split(':')[1]);
      if (worker === this.#workerId || !Number.isInteger(pid) || processAlive(pid)) continue;
      this.#stmt(`UPDATE jobs SET lease_until = 0 WHERE id = ? AND worker = ?`).run(id, worker);
    }
    this.#maintain();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
