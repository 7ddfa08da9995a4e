import { describe, expect, it } from 'vitest';
import { createLogger, formatLogRecord, type LogRecord, noopLogger, redactText } from '@camflow/core';

function capture(level: 'debug' | 'info' = 'debug') {
  const records: LogRecord[] = [];
  const logger = createLogger({ level, sink: (record) => records.push(record) });
  return { logger, records, lines: () => records.map(formatLogRecord) };
}

describe('logger', () => {
  it('namespaces children as camflow:name:sub', () => {
    const { logger, records } = capture();
    logger.child('hikvision').child('front').info('hello');
    expect(records[0]?.namespace).toBe('camflow:hikvision:front');
  });

  it('evaluates lazy messages only when the level is enabled', () => {
    const { logger, records } = capture('info');
    let evaluated = 0;
    logger.debug(() => {
      evaluated++;
      return 'expensive';
    });
    logger.info(() => {
      evaluated++;
      return 'cheap';
    });
    expect(evaluated).toBe(1);
    expect(records.map((r) => r.message)).toEqual(['cheap']);
  });

  it('never lets a password, a token or an Authorization header reach a line', () => {
    const { logger, lines } = capture();
    logger.info('request with Authorization: Digest username="admin", response="abcdef0123456789"');
    logger.warn('connect rtsp://admin:Secr3t!@192.0.2.10:554/Streaming/Channels/101');
    logger.error('login failed password=hunter2 user=admin');
    logger.info('json {"password":"hunter2","token":"tok-123","user":"admin"}');
    logger.info('fields', {
      password: 'hunter2',
      nested: { refresh_token: 'rt-abc', headers: { authorization: 'Basic YWRtaW46aHVudGVyMg==' } },
      list: [{ apiKey: 'k-999' }],
      error: new Error('failed with token=tok-456'),
    });
    const text = lines().join('\n');
    for (const secret of ['abcdef0123456789', 'Secr3t!', 'hunter2', 'tok-123', 'rt-abc', 'YWRtaW46aHVudGVyMg', 'k-999', 'tok-456']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('user=admin');
    expect(text).toContain('192.0.2.10:554');
  });

  it('keeps working when the sink throws', () => {
    const logger = createLogger({
      sink: () => {
        throw new Error('disk full');
      },
    });
    expect(() => logger.error('still fine')).not.toThrow();
  });

  it('has a no-op default whose children are no-ops too', () => {
    expect(() => noopLogger.child('x').error('ignored')).not.toThrow();
  });

  it('redacts text without touching ordinary words', () => {
    expect(redactText('passing the test with token count 3')).toBe('passing the test with token count 3');
  });
});
