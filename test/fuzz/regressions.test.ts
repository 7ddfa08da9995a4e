/** Inputs that broke a parser in a fuzz run, kept so they never break it again. */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@camflow/core';

describe('fuzz regressions', () => {
  it('config: a secret holding a lone surrogate is redacted without a URIError (bench/fuzz seed 1151030554)', () => {
    const text =
      'cameras:\n  - id: gate\n    type: hikvision\n    host: 192.0.2.10\n    username: admin\n    password: $\u{10000}\u{10000}\ud800\u0000\udc00\u0000\u{10000}TE_PASSWORD:-x}\n' +
      '    overlays:\n      - id: 1\n        text: "{{counter}}"\n';
    let error: unknown;
    try {
      parseConfig(text, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(error === undefined || error instanceof ConfigError).toBe(true);
  });
});
