import { describe, expect, it } from 'vitest';
import { TypedEmitter, nextEvent } from '@camflow/core';

interface Events {
  cycle: { n: number };
  stopped: undefined;
}

describe('TypedEmitter', () => {
  it('delivers to every listener even when one throws or rejects, and reports the failures', async () => {
    const reported: [unknown, string][] = [];
    const emitter = new TypedEmitter<Events>({ onListenerError: (error, event) => reported.push([error, event]) });
    const seen: number[] = [];
    emitter.on('cycle', () => {
      throw new Error('sync listener broke');
    });
    emitter.on('cycle', () => Promise.reject(new Error('async listener broke')));
    emitter.on('cycle', ({ n }) => {
      seen.push(n);
    });
    expect(() => emitter.emit('cycle', { n: 1 })).not.toThrow();
    expect(seen).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported.map(([error, event]) => [(error as Error).message, event])).toEqual([
      ['sync listener broke', 'cycle'],
      ['async listener broke', 'cycle'],
    ]);
  });

  it('removes listeners with the returned function, and once fires once', () => {
    const emitter = new TypedEmitter<Events>();
    const seen: number[] = [];
    const off = emitter.on('cycle', ({ n }) => {
      seen.push(n);
    });
    emitter.once('cycle', ({ n }) => {
      seen.push(n * 10);
    });
    emitter.emit('cycle', { n: 1 });
    off();
    emitter.emit('cycle', { n: 2 });
    expect(seen).toEqual([1, 10]);
    expect(emitter.listenerCount('cycle')).toBe(0);
  });

  it('nextEvent resolves with the payload and rejects on abort', async () => {
    const emitter = new TypedEmitter<Events>();
    const next = nextEvent(emitter, 'cycle');
    emitter.emit('cycle', { n: 7 });
    await expect(next).resolves.toEqual({ n: 7 });
    const controller = new AbortController();
    const pending = nextEvent(emitter, 'stopped', controller.signal);
    controller.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    expect(emitter.listenerCount('stopped')).toBe(0);
  });
});
