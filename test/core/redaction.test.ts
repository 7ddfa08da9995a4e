import { describe, expect, it } from 'vitest';
import { ConfigError, createLogger, formatLogRecord, type LogRecord, parseConfig, redactText } from '@camflow/core';

describe('redaction by value', () => {
  it('keeps an @ inside a URL password out of the text', () => {
    expect(redactText('GET http://admin:p@ss@cam.lan/ISAPI failed')).toBe('GET http://admin:[redacted]@cam.lan/ISAPI failed');
  });

  it('redacts Authorization=Digest and the response of a digest answer in JSON', () => {
    const header = 'Digest username="admin", realm="cam", nonce="n", uri="/x", response="0123456789abcdef0123456789abcdef"';
    expect(redactText(`Authorization=${header}`)).toBe('Authorization="[redacted]"');
    const json = JSON.stringify({ headers: { auth: header } });
    expect(redactText(json)).not.toContain('0123456789abcdef0123456789abcdef');
  });

  it('keeps the mqtt.url password out of a ConfigError on a wrong scheme', () => {
    const yaml = 'mqtt:\n  url: http://camflow:VerySecret42@broker.lan:1883\ncameras: []\n';
    const error = (() => {
      try {
        parseConfig(yaml, { env: {} });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/mqtt\.url/);
    expect((error as Error).message).not.toContain('VerySecret42');
  });

  it('treats a ${SECRET} placed under any key as a secret, in config errors and in every log line', () => {
    const yaml = 'cameras:\n  - id: gate\n    type: hikvision\n    host: ${GATE_TOKEN}\n    username: admin\n    password: x\n    channel: nope\n';
    const env = { GATE_TOKEN: 'tok-Zq81-never-shown' };
    let message = '';
    try {
      parseConfig(yaml, { env });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/channel/);
    expect(message).not.toContain('tok-Zq81-never-shown');

    const records: LogRecord[] = [];
    const logger = createLogger({ sink: (r) => records.push(r) });
    logger.warn('could not reach tok-Zq81-never-shown:80', { host: 'tok-Zq81-never-shown' });
    const line = records.map(formatLogRecord).join('\n');
    expect(line).not.toContain('tok-Zq81-never-shown');
    expect(line).toContain('[redacted]');
  });
});
