/**
 * Overlay text templates: literal text with `{{...}}` variables.
 *
 *   {{now}}                          2025-10-22 10:58:10 (local time)
 *   {{now:DD.MM.YYYY HH:mm}}         a date format (dayjs tokens, `[text]` literal)
 *   {{now:HH:mm|Europe/Berlin}}      ...in an IANA time zone
 *   {{counter}}  {{counter:0000}}    the sync cycle number, optionally formatted
 *   {{value.temperature:0.1}}        a value set from outside (Node-RED, MQTT, CLI), number-formatted
 *
 * A template is parsed once, when the configuration is loaded: an unknown variable or a bad format is
 * a TemplateError naming the column, so `camflow config check` catches it, not the camera at 3 a.m.
 */
import { ConfigError } from '../errors.js';
import {
  checkTimeZone,
  DateRenderer,
  DEFAULT_DATE_FORMAT,
  formatNumber,
  FormatProblem,
  type NumberFormat,
  parseDateFormat,
  parseNumberFormat,
} from './formats.js';

/** What `value.NAME` can hold. `null` means "not set". */
export type TemplateValue = string | number | boolean | null;

export interface RenderContext {
  now: Date;
  counter: number;
  values: ReadonlyMap<string, TemplateValue>;
  /** Shown for a value that has not been set. Default `--`. */
  missing?: string;
}

/** A template that cannot be parsed. `column` is 1-based, in the template text. */
export class TemplateError extends ConfigError {
  override readonly code: string = 'TEMPLATE_INVALID';
  readonly column: number;
  readonly reason: string;

  constructor(reason: string, column: number, template: string) {
    super(`${reason} at column ${column} of template ${JSON.stringify(template)}`);
    this.reason = reason;
    this.column = column;
  }
}

type Part =
  | { kind: 'literal'; text: string }
  | { kind: 'now'; renderer: DateRenderer }
  | { kind: 'counter'; format: NumberFormat | undefined }
  | { kind: 'value'; name: string; format: NumberFormat | undefined };

const VALUE_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export class Template {
  readonly source: string;
  /** Names used as `value.NAME`, in order of first use. */
  readonly valueNames: readonly string[];
  /** True when the text changes with time or cycle on its own (`now`, `counter`). */
  readonly dynamic: boolean;
  readonly #parts: readonly Part[];

  private constructor(source: string, parts: readonly Part[]) {
    this.source = source;
    this.#parts = parts;
    this.valueNames = [...new Set(parts.flatMap((part) => (part.kind === 'value' ? [part.name] : [])))];
    this.dynamic = parts.some((part) => part.kind === 'now' || part.kind === 'counter');
  }

  /** Parses `text`; throws TemplateError. */
  static parse(text: string): Template {
    return new Template(text, parseParts(text));
  }

  render(context: RenderContext): string {
    let out = '';
    for (const part of this.#parts) out += renderPart(part, context);
    return out;
  }
}

/** The problem in a template as one line (`unknown variable 'tempreature' at column 10`), or undefined. */
export function templateProblem(text: string): string | undefined {
  try {
    Template.parse(text);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return `${error.reason} at column ${error.column}`;
    throw error;
  }
}

function parseParts(text: string): Part[] {
  const parts: Part[] = [];
  let index = 0;
  while (index < text.length) {
    const open = text.indexOf('{{', index);
    const literalEnd = open === -1 ? text.length : open;
    const strayClose = text.indexOf('}}', index);
    if (strayClose !== -1 && strayClose < literalEnd) {
      throw new TemplateError("'}}' without a matching '{{'", strayClose + 1, text);
    }
    if (literalEnd > index) parts.push({ kind: 'literal', text: text.slice(index, literalEnd) });
    if (open === -1) break;
    const close = text.indexOf('}}', open + 2);
    if (close === -1) throw new TemplateError("'{{' is never closed with '}}'", open + 1, text);
    parts.push(parseVariable(text, open + 2, close));
    index = close + 2;
  }
  return parts;
}

/** Parses the inside of `{{...}}`, from `start` (inclusive) to `end` (exclusive). */
function parseVariable(text: string, start: number, end: number): Part {
  const inner = text.slice(start, end);
  const body = inner.trim();
  const bodyStart = start + (inner.length - inner.trimStart().length);
  if (body === '') throw new TemplateError('empty variable {{}}', start - 1, text);
  const colon = body.indexOf(':');
  const name = (colon === -1 ? body : body.slice(0, colon)).trim();
  const argument = colon === -1 ? undefined : body.slice(colon + 1);
  try {
    if (name === 'now' || name.startsWith('now|')) return parseNow(body);
    const format = argument === undefined ? undefined : at(colon + 1, () => parseNumberFormat(argument.trim()));
    if (name === 'counter') return { kind: 'counter', format };
    if (name.startsWith('value.')) {
      const valueName = name.slice('value.'.length);
      if (!VALUE_NAME.test(valueName)) throw new FormatProblem(`bad value name '${valueName}' (letters, digits, _ and -)`, 6);
      return { kind: 'value', name: valueName, format };
    }
  } catch (error) {
    if (error instanceof FormatProblem) throw new TemplateError(error.message, bodyStart + error.offset + 1, text);
    throw error;
  }
  throw new TemplateError(`unknown variable '${name}' (expected now, counter or value.NAME)`, bodyStart + 1, text);
}

/** Runs `parse`, shifting the offset of a FormatProblem by `offset`. */
function at<T>(offset: number, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof FormatProblem) throw new FormatProblem(error.message, offset + error.offset);
    throw error;
  }
}

/** `now`, `now:FORMAT`, `now:FORMAT|ZONE`, `now|ZONE`; FormatProblem offsets are relative to `body`. */
function parseNow(body: string): Part {
  let format = DEFAULT_DATE_FORMAT;
  let formatOffset = 0;
  let zone: string | undefined;
  let zoneOffset = 0;
  const bar = body.lastIndexOf('|');
  if (body.startsWith('now|')) {
    zone = body.slice(4).trim();
    zoneOffset = 4;
  } else if (body.startsWith('now:')) {
    formatOffset = 4;
    format = bar === -1 ? body.slice(4) : body.slice(4, bar);
    if (bar !== -1) {
      zone = body.slice(bar + 1).trim();
      zoneOffset = bar + 1;
    }
    if (format === '') throw new FormatProblem('empty date format', formatOffset);
  } else if (body !== 'now') {
    throw new FormatProblem("expected {{now}}, {{now:FORMAT}} or {{now:FORMAT|ZONE}}", 0);
  }
  const parts = at(formatOffset, () => parseDateFormat(format));
  if (zone !== undefined) at(zoneOffset, () => checkTimeZone(zone));
  return { kind: 'now', renderer: new DateRenderer(parts, zone === '' ? undefined : zone) };
}

function renderPart(part: Part, context: RenderContext): string {
  switch (part.kind) {
    case 'literal':
      return part.text;
    case 'now':
      return part.renderer.render(context.now);
    case 'counter':
      return part.format === undefined ? String(context.counter) : formatNumber(context.counter, part.format);
    case 'value':
      return renderValue(context.values.get(part.name) ?? null, part.format, context.missing ?? '--');
  }
}

function renderValue(value: TemplateValue, format: NumberFormat | undefined, missing: string): string {
  if (value === null) return missing;
  if (format === undefined) return String(value);
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  // A text value where a number was expected is shown as it is: the overlay keeps working.
  return Number.isNaN(number) ? String(value) : formatNumber(number, format);
}
