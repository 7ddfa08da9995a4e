import { describe, expect, it } from 'vitest';
import {
  AbortError,
  AuthError,
  CamflowError,
  ConfigError,
  ConnectionError,
  ProtocolError,
  TimeoutError,
  abortErrorFrom,
  ensureError,
  isAbortError,
} from '@camflow/core';

describe('errors', () => {
  it('gives every subclass a stable code, its own name, and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const cases = [
      [new AuthError('bad password', { cause }), 'AUTH_FAILED', 'AuthError'],
      [new TimeoutError('no answer in 3s', { cause }), 'TIMEOUT', 'TimeoutError'],
      [new ConnectionError('refused', { cause }), 'CONNECTION_FAILED', 'ConnectionError'],
      [new ProtocolError('bad XML', { cause }), 'PROTOCOL_ERROR', 'ProtocolError'],
      [new ConfigError('bad config', [], { cause }), 'CONFIG_INVALID', 'ConfigError'],
      [new AbortError(undefined, { cause }), 'ABORTED', 'AbortError'],
    ] as const;
    for (const [error, code, name] of cases) {
      expect(error).toBeInstanceOf(CamflowError);
      expect(error).toBeInstanceOf(Error);
      expect(error.code).toBe(code);
      expect(error.name).toBe(name);
      expect(error.cause).toBe(cause);
    }
  });

  it('lists every config issue with its path, line and value in the message', () => {
    const error = new ConfigError('camflow.yaml has 2 problems:', [
      { path: 'cameras[0].port', message: 'too big', value: '99999', line: 7 },
      { path: '', message: 'YAML: bad indentation' },
    ]);
    expect(error.message).toContain('cameras[0].port (line 7): too big (got 99999)');
    expect(error.message).toContain('(root): YAML: bad indentation');
    expect(error.issues).toHaveLength(2);
  });

  it('ensureError keeps Errors and wraps anything else with the original as cause', () => {
    const original = new TypeError('x');
    expect(ensureError(original)).toBe(original);
    const fromString = ensureError('boom');
    expect(fromString).toBeInstanceOf(CamflowError);
    expect(fromString.message).toBe('boom');
    const fromObject = ensureError({ status: 500 });
    expect(fromObject.message).toContain('{"status":500}');
    expect(fromObject.cause).toEqual({ status: 500 });
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    expect(ensureError(circular).message).toContain('[object Object]');
    expect(ensureError(undefined).message).toContain('undefined');
  });

  it('recognises aborts from AbortSignal as well as its own', () => {
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(abortErrorFrom(controller.signal))).toBe(true);
    expect(isAbortError(controller.signal.reason)).toBe(true);
    expect(abortErrorFrom(AbortSignal.timeout(0))).toBeInstanceOf(AbortError);
    expect(isAbortError(new Error('other'))).toBe(false);
  });

  it('maps a timeout signal to a TimeoutError', async () => {
    const signal = AbortSignal.timeout(1);
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect(abortErrorFrom(signal)).toBeInstanceOf(TimeoutError);
  });
});
