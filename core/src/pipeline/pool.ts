/**
 * CPU-bound work off the event loop: a piscina worker-thread pool, one thread per core by default.
 * A task is a module (its default export runs in the thread) and a structured-cloneable input; a
 * crashed thread is replaced by piscina and only its task fails.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AbortError } from '../errors.js';

export interface CpuPoolOptions {
  /** Threads at most, default one per core. */
  threads?: number;
  /** Threads kept while idle, default 0: an idle bridge holds no extra memory. */
  minThreads?: number;
  /** An idle thread exits after this long, default 60 s. */
  idleTimeoutMs?: number;
}

export class CpuPool {
  readonly threads: number;
  readonly #pools = new Map<string, Piscina>();
  readonly #options: CpuPoolOptions;
  #closed = false;

  constructor(options: CpuPoolOptions = {}) {
    this.#options = options;
    this.threads = options.threads ?? Math.max(1, availableParallelism());
  }

  /** Runs `filename`'s default export on `input` in a worker thread. */
  async run<I, O>(filename: string | URL, input: I, options: { signal?: AbortSignal; transferList?: ArrayBuffer[] } = {}): Promise<O> {
    if (this.#closed) throw new AbortError('the worker pool is closed');
    const file = typeof filename === 'string' ? filename : filename.href;
    let pool = this.#pools.get(file);
    if (pool === undefined) {
      pool = new Piscina({
        filename: file,
        maxThreads: this.threads,
        minThreads: this.#options.minThreads ?? 0,
        idleTimeout: this.#options.idleTimeoutMs ?? 60_000,
      });
      this.#pools.set(file, pool);
    }
    return (await pool.run(input, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.transferList === undefined ? {} : { transferList: options.transferList as never }),
    })) as O;
  }

  /** Threads alive now, over every task module. */
  get threadCount(): number {
    let count = 0;
    for (const pool of this.#pools.values()) count += pool.threads.length;
    return count;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.allSettled(pools.map((pool) => pool.close({ force: true })));
  }
}
