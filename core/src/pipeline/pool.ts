/**
 * CPU-bound work off the event loop: one piscina worker-thread pool, one thread per core by default,
 * its threads at a lower priority than the main thread (see pool-worker.ts). A task is a module (its
 * default export runs in the thread) and a structured-cloneable input; a crashed thread is replaced
 * by piscina and only its task fails.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
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
  #pool: Piscina | undefined;
  readonly #options: CpuPoolOptions;
  #closed = false;

  constructor(options: CpuPoolOptions = {}) {
    this.#options = options;
    this.threads = options.threads ?? Math.max(1, availableParallelism());
  }

  /** Runs `filename`'s default export on `input` in a worker thread. */
  async run<I, O>(filename: string | URL, input: I, options: { signal?: AbortSignal; transferList?: ArrayBuffer[] } = {}): Promise<O> {
    if (this.#closed) throw new AbortError('the worker pool is closed');
    const module = typeof filename === 'string' ? pathToFileURL(filename).href : filename.href;
    this.#pool ??= new Piscina({
      filename: new URL('./pool-worker.js', import.meta.url).href,
      maxThreads: this.threads,
      minThreads: Math.min(this.threads, this.#options.minThreads ?? 0),
      idleTimeout: this.#options.idleTimeoutMs ?? 60_000,
    });
    return (await this.#pool.run({ module, input }, {
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.transferList === undefined ? {} : { transferList: options.transferList as never }),
    })) as O;
  }

  /** Threads alive now. */
  get threadCount(): number {
    return this.#pool?.threads.length ?? 0;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close({ force: true });
  }
}
