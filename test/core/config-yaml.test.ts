import { describe, expect, it } from 'vitest';
import { parseConfig } from '@camflow/core';

describe('a YAML syntax error', () => {
  it('is one sentence with the line, then the offending line and a caret under the spot', () => {
    const text = 'cameras:\n  - id: gate\n    type: hikvision\n    host 127.0.0.1\n    username: admin\n';
    let message = '';
    try {
      parseConfig(text, { source: 'camflow.yaml' });
    } catch (error) {
      message = (error as Error).message;
    }
    const lines = message.split('\n');
    expect(lines[0]).toBe('camflow.yaml is not valid YAML');
    expect(lines[1]).toBe('  - (root) (line 4): YAML: Implicit keys need to be on a single line');
    const offending = lines.findIndex((line) => line.trim() === 'host 127.0.0.1');
    expect(offending).toBeGreaterThan(1);
    const caret = lines[offending + 1] ?? '';
    expect(caret.trim()).toBe('^');
    expect(caret.indexOf('^')).toBe((lines[offending] ?? '').indexOf('host'));
    expect(message).not.toMatch(/:\s*$/m);
  });
});

describe('a misspelt key', () => {
  it('is one problem with a "did you mean", not an unknown key plus a missing one', () => {
    const text = 'cameras:\n  - id: gate\n    type: hikvision\n    host: 127.0.0.1\n    usernme: admin\n    password: x\n';
    let message = '';
    try {
      parseConfig(text, { source: 'camflow.yaml', env: {} });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('camflow.yaml has 1 problem:\n  - cameras[0] (line 2): unknown key "usernme": did you mean "username"?');
  });
});
