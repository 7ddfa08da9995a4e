/**
 * A small typed event emitter. Unlike node:events, a listener that throws (or rejects) is reported to
 * `onListenerError` and never stops the other listeners, nor the code that emitted: a broken Node-RED
 * flow must not take down overlay sync for every camera.
 */

/** Event name -> payload type. An interface works (no index signature needed). */
export type EventMap = object;
export type Listener<T> = (payload: T) => void | Promise<void>;

export interface TypedEmitterOptions {
  /** Called when a listener throws or its promise rejects. Default: ignore. */
  onListenerError?: (error: unknown, event: string) => void;
}

export class TypedEmitter<Events extends EventMap> {
  /** Type-only (no value at run time): lets helpers such as nextEvent infer a subclass's event map. */
  declare readonly '~events'?: Events;
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown, event: string) => void;

  constructor(options: TypedEmitterOptions = {}) {
    this.#onListenerError = options.onListenerError ?? (() => {});
  }

  /** Adds a listener; returns the function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      return listener(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    const set = this.#listeners.get(event);
    set?.delete(listener as Listener<never>);
    if (set?.size === 0) this.#listeners.delete(event);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    // Copy: a listener may remove itself (once) or others while we iterate.
    for (const listener of [...set] as Listener<Events[K]>[]) {
      try {
        const result = listener(payload);
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(error, event));
      } catch (error) {
        this.#report(error, event);
      }
    }
  }

  listenerCount<K extends keyof Events>(event: K): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.#listeners.clear();
  }

  #report(error: unknown, event: keyof Events): void {
    try {
      this.#onListenerError(error, String(event));
    } catch {
      // The error reporter itself failed; nothing sensible is left to do.
    }
  }
}

/** Resolves with the next payload of `event`, or rejects when the signal aborts. */
export type EventsOf<T> = T extends { readonly '~events'?: infer E } ? NonNullable<E> : never;

export function nextEvent<T extends TypedEmitter<EventMap>, K extends keyof EventsOf<T>>(
  emitter: T,
  event: K,
  signal?: AbortSignal,
): Promise<EventsOf<T>[K]> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      off();
      reject(signal?.reason as Error);
    };
    const off = (emitter as unknown as TypedEmitter<EventsOf<T>>).once(event, (payload) => {
      signal?.removeEventListener('abort', onAbort);
      resolve(payload);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
