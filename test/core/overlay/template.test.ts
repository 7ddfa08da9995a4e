import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, Template, TemplateError, templateProblem, type TemplateValue } from '@camflow/core';

const now = new Date('2025-10-22T08:58:10.042Z');

function render(text: string, values: Record<string, TemplateValue> = {}, counter = 177): string {
  return Template.parse(text).render({ now, counter, values: new Map(Object.entries(values)) });
}

function problem(text: string): TemplateError {
  try {
    Template.parse(text);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('overlay templates', () => {
  it('renders the example from the issue: counter and time, in a time zone', () => {
    expect(render('{{counter}} - {{now:YYYY-MM-DD HH:mm:ss|UTC}}')).toBe('177 - 2025-10-22 08:58:10');
    expect(render('{{counter}} - {{now:YYYY-MM-DD HH:mm:ss|Europe/Berlin}}')).toBe('177 - 2025-10-22 10:58:10');
    expect(render('{{now:h:mm A Z|America/New_York}}')).toBe('4:58 AM -04:00');
    expect(render('{{now:ddd D MMM YYYY, dddd MMMM|Asia/Tokyo}}')).toBe('Wed 22 Oct 2025, Wednesday October');
    expect(render('{{now:[Time:] HH[h]mm ss.SSS|UTC}}')).toBe('Time: 08h58 10.042');
    expect(render('{{now|Asia/Kolkata}}')).toBe('2025-10-22 14:28:10');
  });

  it('uses the local time zone and the default format when none is given', () => {
    const local = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
    expect(render('{{now}}')).toMatch(new RegExp(`^${local} \\d{2}:\\d{2}:10$`));
  });

  it('formats values and the counter as numbers', () => {
    expect(render('Outside {{value.temperature:0.1}} °C', { temperature: 21.456 })).toBe('Outside 21.5 °C');
    expect(render('{{value.t:0.0}} {{value.t:0}} {{value.t:0.5}} {{value.t:10}}', { t: '-0.04' })).toBe('0.0 0 0.0 0');
    expect(render('{{value.t:0.5}} {{value.t:10}} {{value.t:000.00}}', { t: 7.3 })).toBe('7.5 10 007.30');
    expect(render('#{{counter:0000}}', {}, 42)).toBe('#0042');
  });

  it('shows text values as they are and marks unset values', () => {
    expect(render('{{value.status}} / {{value.door:0.1}} / {{value.armed}}', { status: 'Armed away', door: 'open', armed: true })).toBe(
      'Armed away / open / true',
    );
    expect(render('Outside {{value.temperature:0.1}} °C')).toBe('Outside -- °C');
    expect(Template.parse('x').render({ now, counter: 1, values: new Map(), missing: '?' })).toBe('x');
    expect(Template.parse('{{value.a}}').render({ now, counter: 1, values: new Map(), missing: '?' })).toBe('?');
  });

  it('keeps literal text, single braces and spaces inside the braces', () => {
    expect(render('{a} {{ counter }} {{ value.x }}', { x: 1 })).toBe('{a} 177 1');
    expect(Template.parse('Front door').dynamic).toBe(false);
    expect(Template.parse('{{value.a}} {{value.b}} {{value.a}}').valueNames).toEqual(['a', 'b']);
  });

  it('rejects an unknown variable or a bad format with its column', () => {
    const cases: [string, string, number][] = [
      ['{{tempreature}}', "unknown variable 'tempreature' (expected now, counter or value.NAME)", 3],
      ['Temp {{value.t:0.x}}', "bad number format '0.x' (expected e.g. 0, 0.1, 0.00 or 000)", 16],
      ['{{now:yyyy-MM-dd}}', "unknown date token 'yyyy' (did you mean YYYY?)", 7],
      ['{{now:HH:mm Q}}', "unknown date token 'Q' (put literal letters in [brackets])", 13],
      ['{{now:HH:mm|Europe/Berln}}', "unknown time zone 'Europe/Berln' (expected an IANA name such as Europe/Berlin)", 13],
      ['{{now:[at HH}}', "unclosed '[' in date format", 7],
      ['a {{counter', "'{{' is never closed with '}}'", 3],
      ['x }} y', "'}}' without a matching '{{'", 3],
      ['{{}}', 'empty variable {{}}', 1],
      ['{{value.}}', "bad value name '' (letters, digits, _ and -)", 9],
    ];
    for (const [text, reason, column] of cases) {
      const error = problem(text);
      expect({ text, reason: error.reason, column: error.column }).toEqual({ text, reason, column });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.code).toBe('TEMPLATE_INVALID');
      expect(templateProblem(text)).toBe(`${reason} at column ${column}`);
    }
    expect(templateProblem('{{counter}} ok')).toBeUndefined();
  });

  it('makes a bad template a config error with its path, caught at load', () => {
    const yaml = `
cameras:
  - id: back
    type: hikvision
    host: 192.0.2.11
    username: admin
    password: secret
    overlays:
      - id: 1
        text: "{{counter}} - {{now:YYYY-MM-DD HH:mm:ss}}"
      - id: 2
        text: "Outside {{value.temprature:0.x}} °C"
`;
    let caught: unknown;
    try {
      parseConfig(yaml, { env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).issues).toEqual([
      {
        path: 'cameras[0].overlays[1].text',
        message: "bad number format '0.x' (expected e.g. 0, 0.1, 0.00 or 000) at column 28",
        value: '"Outside {{value.temprature:0.x}} °C"',
        line: 12,
      },
    ]);
  });
});
