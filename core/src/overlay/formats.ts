/**
 * The two formats a template may apply: a date format for `now` (dayjs/moment tokens, rendered through
 * Intl so any IANA time zone works without a time-zone database of our own) and a number format for
 * `counter` and `value.NAME`. Both are compiled once, when the template is parsed, so that a typo is
 * reported at load time with its position, never at 3 a.m. while rendering.
 */

/** A problem in a format; `offset` is relative to the start of the format text. */
export class FormatProblem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------
// Numbers

export interface NumberFormat {
  /** Round to a multiple of this (`0.5`, `10`); undefined: round to `decimals`. */
  readonly step: number | undefined;
  readonly decimals: number;
  /** Minimum digits before the point, zero-padded (`000` -> 007). */
  readonly minIntegerDigits: number;
}

const NUMBER_FORMAT = /^(\d+)(?:\.(\d+))?$/;

/**
 * `0` integer, `0.0` / `0.00` fixed decimals, `000` zero-padded, and a rounding step such as `0.1`,
 * `0.5` or `10` (the decimals shown are those of the step).
 */
export function parseNumberFormat(text: string): NumberFormat {
  const match = NUMBER_FORMAT.exec(text);
  if (match === null) {
    throw new FormatProblem(`bad number format '${text}' (expected e.g. 0, 0.1, 0.00 or 000)`, 0);
  }
  const integer = match[1] ?? '0';
  const fraction = match[2] ?? '';
  const zerosOnly = /^0+$/.test(integer) && /^0*$/.test(fraction);
  if (zerosOnly) return { step: undefined, decimals: fraction.length, minIntegerDigits: integer.length };
  return { step: Number(text), decimals: fraction.length, minIntegerDigits: 1 };
}

export function formatNumber(value: number, format: NumberFormat): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = format.step === undefined ? value : Math.round(value / format.step) * format.step;
  let text = rounded.toFixed(format.decimals);
  // -0.04 rounded to one decimal is "-0.0"; people expect "0.0".
  if (Number(text) === 0) text = text.replace(/^-/, '');
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const [integer = '', fraction] = digits.split('.');
  const padded = integer.padStart(format.minIntegerDigits, '0');
  return `${negative ? '-' : ''}${padded}${fraction === undefined ? '' : `.${fraction}`}`;
}

// ---------------------------------------------------------------------------------------------------
// Dates

type DateToken =
  | 'YYYY' | 'YY' | 'MMMM' | 'MMM' | 'MM' | 'M' | 'DD' | 'D' | 'dddd' | 'ddd'
  | 'HH' | 'H' | 'hh' | 'h' | 'mm' | 'm' | 'ss' | 's' | 'SSS' | 'A' | 'a' | 'Z';

// Longest first, so `MMMM` is not read as `MM` `MM`.
const DATE_TOKENS: readonly DateToken[] = [
  'YYYY', 'MMMM', 'dddd', 'MMM', 'ddd', 'SSS', 'YY', 'MM', 'DD', 'HH', 'hh', 'mm', 'ss',
  'M', 'D', 'H', 'h', 'm', 's', 'A', 'a', 'Z',
];

const HINTS: Readonly<Record<string, string>> = { yyyy: 'YYYY', yy: 'YY', dd: 'DD', d: 'D', S: 'SSS', SS: 'SSS' };

export type DatePart = { token: DateToken } | { literal: string };

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD HH:mm:ss';

/** Tokens as in dayjs: `YYYY-MM-DD HH:mm:ss`, `ddd D MMM`, `h:mm A`; `[text]` is literal. */
export function parseDateFormat(text: string): DatePart[] {
  const parts: DatePart[] = [];
  let index = 0;
  const pushLiteral = (literal: string): void => {
    const last = parts.at(-1);
    if (last !== undefined && 'literal' in last) last.literal += literal;
    else parts.push({ literal });
  };
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === '[') {
      const close = text.indexOf(']', index + 1);
      if (close === -1) throw new FormatProblem("unclosed '[' in date format", index);
      pushLiteral(text.slice(index + 1, close));
      index = close + 1;
      continue;
    }
    const token = DATE_TOKENS.find((candidate) => text.startsWith(candidate, index));
    if (token !== undefined) {
      parts.push({ token });
      index += token.length;
      continue;
    }
    if (/[A-Za-z]/.test(char)) {
      const word = /^[A-Za-z]+/.exec(text.slice(index))?.[0] ?? char;
      const hint = HINTS[word];
      const advice = hint === undefined ? 'put literal letters in [brackets]' : `did you mean ${hint}?`;
      throw new FormatProblem(`unknown date token '${word}' (${advice})`, index);
    }
    pushLiteral(char);
    index++;
  }
  return parts;
}

/** Throws a FormatProblem for a time zone Intl does not know. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new FormatProblem(`unknown time zone '${timeZone}' (expected an IANA name such as Europe/Berlin)`, 0);
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const WEEKDAY_SHORT = WEEKDAYS.map((day) => day.slice(0, 3));

interface Fields {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  second: number;
  offset: string;
}

/**
 * Renders dates in one time zone (undefined: the process's local zone). The Intl formatter is built
 * once; the calendar fields of the last second are cached because every overlay of a cycle asks for
 * the same second.
 */
export class DateRenderer {
  readonly #parts: readonly DatePart[];
  readonly #formatter: Intl.DateTimeFormat;
  readonly #needsOffset: boolean;
  #cachedSecond = Number.NaN;
  #cachedFields: Fields | undefined;

  constructor(parts: readonly DatePart[], timeZone: string | undefined) {
    this.#parts = parts;
    this.#needsOffset = parts.some((part) => 'token' in part && part.token === 'Z');
    this.#formatter = new Intl.DateTimeFormat('en-US', {
      ...(timeZone === undefined ? {} : { timeZone }),
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      ...(this.#needsOffset ? { timeZoneName: 'longOffset' } : {}),
    });
  }

  render(date: Date): string {
    const fields = this.#fields(date);
    let out = '';
    for (const part of this.#parts) out += 'literal' in part ? part.literal : renderToken(part.token, fields, date);
    return out;
  }

  #fields(date: Date): Fields {
    const second = Math.floor(date.getTime() / 1000);
    if (second === this.#cachedSecond && this.#cachedFields !== undefined) return this.#cachedFields;
    const values: Record<string, string> = {};
    for (const part of this.#formatter.formatToParts(date)) values[part.type] = part.value;
    const fields: Fields = {
      year: Number(values['year']),
      month: Number(values['month']),
      day: Number(values['day']),
      weekday: Math.max(0, WEEKDAY_SHORT.indexOf(values['weekday'] ?? '')),
      hour: Number(values['hour']) % 24,
      minute: Number(values['minute']),
      second: Number(values['second']),
      offset: parseOffset(values['timeZoneName']),
    };
    this.#cachedSecond = second;
    this.#cachedFields = fields;
    return fields;
  }
}

/** `GMT+01:00` -> `+01:00`, `GMT` -> `+00:00`. */
function parseOffset(name: string | undefined): string {
  if (name === undefined) return '';
  const match = /([+-]\d{2}):?(\d{2})?/.exec(name);
  return match === null ? '+00:00' : `${match[1] ?? '+00'}:${match[2] ?? '00'}`;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

function renderToken(token: DateToken, f: Fields, date: Date): string {
  switch (token) {
    case 'YYYY': return pad(f.year, 4);
    case 'YY': return pad(f.year % 100);
    case 'MMMM': return MONTHS[f.month - 1] ?? '';
    case 'MMM': return (MONTHS[f.month - 1] ?? '').slice(0, 3);
    case 'MM': return pad(f.month);
    case 'M': return String(f.month);
    case 'DD': return pad(f.day);
    case 'D': return String(f.day);
    case 'dddd': return WEEKDAYS[f.weekday] ?? '';
    case 'ddd': return WEEKDAY_SHORT[f.weekday] ?? '';
    case 'HH': return pad(f.hour);
    case 'H': return String(f.hour);
    case 'hh': return pad(f.hour % 12 === 0 ? 12 : f.hour % 12);
    case 'h': return String(f.hour % 12 === 0 ? 12 : f.hour % 12);
    case 'mm': return pad(f.minute);
    case 'm': return String(f.minute);
    case 'ss': return pad(f.second);
    case 's': return String(f.second);
    case 'SSS': return pad(date.getMilliseconds(), 3);
    case 'A': return f.hour < 12 ? 'AM' : 'PM';
    case 'a': return f.hour < 12 ? 'am' : 'pm';
    case 'Z': return f.offset;
  }
}
