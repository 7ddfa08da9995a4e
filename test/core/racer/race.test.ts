import { describe, expect, it } from 'vitest';
import { type AttemptReporter, type RaceAttempt, RaceError, RaceMemory, ipv4InCidr, race } from '@camflow/core';

/** A controllable attempt: resolve/reject from the test; records start and release. */
function controlled(name: string, mode = 'lan') {
  const log: string[] = [];
  let settle: { resolve: (v: string) => void; reject: (e: Error) => void } | undefined;
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const attempt: RaceAttempt<string> = {
    name,
    mode,
    run(signal: AbortSignal, report: AttemptReporter) {
      log.push('start');
      report.setLocalPort(40000 + name.length);
      started();
      return new Promise<string>((resolve, reject) => {
        settle = { resolve, reject };
        signal.addEventListener('abort', () => {
          // Releasing takes a moment, like closing a socket: race() must wait for it.
          setTimeout(() => {
            log.push('released');
            reject(signal.reason as Error);
          }, 5);
        });
      });
    },
    dispose(value) {
      log.push(`disposed ${value}`);
    },
  };
  return {
    attempt,
    log,
    started: startedP,
    win: (value = name) => settle?.resolve(value),
    fail: (message = `${name} failed`) => settle?.reject(new Error(message)),
  };
}

const immediate = (name: string, mode: string, outcome: 'ok' | 'fail'): RaceAttempt<string> => ({
  name,
  mode,
  run: () => (outcome === 'ok' ? Promise.resolve(name) : Promise.reject(new Error(`${name} refused`))),
});

describe('race()', () => {
  it('takes the first success and has aborted and released every loser before resolving', async () => {
    const a = controlled('a');
    const b = controlled('b');
    const c = controlled('c');
    const result = race([a.attempt, b.attempt, c.attempt]);
    await Promise.all([a.started, b.started, c.started]);
    b.win();
    const { value, report } = await result;
    expect(value).toBe('b');
    expect(a.log).toEqual(['start', 'released']);
    expect(c.log).toEqual(['start', 'released']);
    expect(report).toMatchObject({ winner: 'b', mode: 'lan', localPort: 40001 });
    expect(report.attempts).toMatchObject({ a: { state: 'cancelled' }, b: { state: 'success' }, c: { state: 'cancelled' } });
    expect(report.attempts['a']!.error).toBeUndefined();
  });

  it('staggers starts, and a failure starts the next attempt at once', async () => {
    const a = controlled('a');
    const b = controlled('b');
    const c = controlled('c');
    const result = race([a.attempt, b.attempt, c.attempt], { staggerMs: 60_000 });
    await a.started;
    expect(b.log).toEqual([]);
    a.fail();
    await b.started;
    expect(c.log).toEqual([]);
    b.win();
    const { report } = await result;
    expect(report.attempts).toMatchObject({ a: { state: 'failed', error: 'a failed' }, b: { state: 'success' }, c: { state: 'not_started' } });
  });

  it('rejects with a RaceError carrying every cause when all fail', async () => {
    const error = await race([immediate('x', 'lan', 'fail'), immediate('y', 'relay', 'fail')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RaceError);
    expect(error).toBeInstanceOf(AggregateError);
    const raceError = error as RaceError;
    expect(raceError.errors.map((e: Error) => e.message)).toEqual(['x refused', 'y refused']);
    expect(raceError.code).toBe('RACE_FAILED');
    expect(raceError.report.attempts).toMatchObject({ x: { state: 'failed', error: 'x refused' }, y: { state: 'failed' } });
  });

  it('gives up at the deadline, cancelling what runs', async () => {
    const a = controlled('a');
    const error = (await race([a.attempt], { deadlineMs: 20 }).catch((e: unknown) => e)) as RaceError;
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('within 20 ms');
    expect(a.log).toEqual(['start', 'released']);
    expect(error.report.attempts['a']!.state).toBe('cancelled');
  });

  it('stops when the caller aborts', async () => {
    const a = controlled('a');
    const controller = new AbortController();
    const result = race([a.attempt], { signal: controller.signal });
    await a.started;
    controller.abort();
    const error = (await result.catch((e: unknown) => e)) as RaceError;
    expect(error.code).toBe('ABORTED');
    expect(a.log).toEqual(['start', 'released']);
  });

  it('disposes a success that arrives after the winner', async () => {
    const late: RaceAttempt<string> = {
      name: 'late',
      mode: 'relay',
      run: (signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('late session'))),
      dispose: (value) => void disposed.push(value),
    };
    const disposed: string[] = [];
    const { report } = await race([late, immediate('fast', 'lan', 'ok')]);
    expect(report.winner).toBe('fast');
    expect(disposed).toEqual(['late session']);
    expect(report.attempts['late']!.state).toBe('cancelled');
  });

  it('orders by mode weight, and the remembered winner goes first', async () => {
    const memory = new RaceMemory();
    const order: string[] = [];
    const make = (name: string, mode: string): RaceAttempt<string> => ({
      name,
      mode,
      run: () => {
        order.push(name);
        return name === 'relay' ? Promise.resolve(name) : Promise.reject(new Error('no'));
      },
    });
    const attempts = [make('relay', 'relay'), make('lan', 'lan'), make('p2p', 'p2p')];
    await race(attempts, { staggerMs: 1000, weights: { lan: 3, p2p: 2, relay: 1 }, memory, target: 'cam' });
    expect(order).toEqual(['lan', 'p2p', 'relay']);
    expect(memory.lastWinner('cam')?.name).toBe('relay');
    order.length = 0;
    await race(attempts, { staggerMs: 1000, weights: { lan: 3, p2p: 2, relay: 1 }, memory, target: 'cam' });
    expect(order).toEqual(['relay']);
  });

  it('keeps media on the LAN: a relay success waits for a LAN path within the grace period', async () => {
    const lan = controlled('lan', 'lan');
    const result = race([lan.attempt, immediate('relay', 'relay', 'ok')], { prefer: { modes: ['lan'], graceMs: 60_000 } });
    await lan.started;
    await new Promise((r) => setTimeout(r, 10));
    lan.win();
    const { report } = await result;
    expect(report.winner).toBe('lan');
    expect(report.attempts['relay']!.state).toBe('cancelled');
  });

  it('takes the held relay success once no LAN path can answer', async () => {
    const lan = controlled('lan', 'lan');
    const result = race([lan.attempt, immediate('relay', 'relay', 'ok')], { prefer: { modes: ['lan'], graceMs: 60_000 } });
    await lan.started;
    lan.fail();
    expect((await result).report.winner).toBe('relay');
  });

  it('refuses winners outside the allowed CIDRs', async () => {
    const at = (name: string, address: string): RaceAttempt<string> => ({
      name,
      mode: 'p2p',
      run: async (_signal, report) => {
        report.setDestination(40611, address);
        await new Promise((r) => setTimeout(r, name === 'cloud' ? 0 : 10));
        return name;
      },
    });
    const { report } = await race([at('cloud', '203.0.113.5'), at('home', '192.168.43.1')], { allowedCidrs: ['192.168.0.0/16'] });
    expect(report.winner).toBe('home');
    expect(report.attempts['cloud']).toMatchObject({ state: 'failed', error: expect.stringContaining('outside the allowed networks') });
    expect(ipv4InCidr('10.1.2.3', '10.0.0.0/8')).toBe(true);
    expect(ipv4InCidr('11.1.2.3', '10.0.0.0/8')).toBe(false);
  });

  it('refuses duplicate names and an empty race', async () => {
    await expect(race([immediate('a', 'lan', 'ok'), immediate('a', 'lan', 'ok')])).rejects.toThrow(TypeError);
    await expect(race([])).rejects.toBeInstanceOf(RaceError);
  });
});
