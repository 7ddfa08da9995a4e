import type { Node, NodeMessage, NodeSend } from '../red.js';
import { fail } from './funnel.js';

export type InputHandler = (msg: NodeMessage, send: NodeSend, signal: AbortSignal) => Promise<void>;
export type Release = () => Promise<void> | void;

/**
 * What a node holds between deploys: one AbortController for everything it started, the tasks in
 * flight, and the resources to release. `close` aborts, waits for the tasks, then releases in reverse
 * order, so a redeploy leaves no socket, timer or child process behind.
 */
export class NodeLifecycle {
  readonly #controller = new AbortController();
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #releases: Release[] = [];
  readonly #closed: Promise<void>;
  #markClosed: () => void = () => undefined;

  constructor(private readonly node: Node) {
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    node.on('close', (_removed, done) => {
      this.close()
        .then(done, (error: unknown) => {
          node.error(error);
          done();
        })
        .finally(this.#markClosed);
    });
  }

  /** Settles once this node has closed: its tasks have ended and its resources are released. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get closing(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Registers something to release on close (last registered, first released). */
  onClose(release: Release): void {
    this.#releases.push(release);
  }

  /** Keeps a background task so close waits for it. The task must end when `signal` aborts. */
  track(task: Promise<unknown>): void {
    const settled = task.then(
      () => undefined,
      () => undefined,
    );
    this.#tasks.add(settled);
    void settled.then(() => this.#tasks.delete(settled));
  }

  /** `(msg, send, done)` around an async handler: every path ends in `done()` or `done(err)`. */
  handleInput(handler: InputHandler): void {
    this.node.on('input', (msg, send, done) => {
      if (this.closing) {
        done();
        return;
      }
      const task = handler(msg, send, this.signal).then(
        () => done(),
        (error: unknown) => fail(this.node, error, done, this.closing),
      );
      this.track(task);
    });
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await Promise.all(this.#tasks);
    const failures: unknown[] = [];
    for (const release of this.#releases.splice(0).reverse()) {
      try {
        await release();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'releasing resources failed');
  }
}
