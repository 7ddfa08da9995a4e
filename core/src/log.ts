/**
 * Logging through an injected interface: core never writes to the console. Front-ends hand core a
 * Logger (Node-RED's node.log, Homebridge's log, the CLI's stderr) or use createLogger with a sink.
 * Messages may be lazy (a function) so debug lines cost nothing when debug is off. Everything that
 * reaches a sink is redacted: passwords, tokens and Authorization headers never reach a log line.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogMessage = string | (() => string);
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: LogMessage, fields?: LogFields): void;
  info(message: LogMessage, fields?: LogFields): void;
  warn(message: LogMessage, fields?: LogFields): void;
  error(message: LogMessage, fields?: LogFields): void;
  /** A logger whose records carry `namespace:name` (e.g. `camflow:hikvision`). */
  child(name: string): Logger;
}

export interface LogRecord {
  level: LogLevel;
  namespace: string;
  message: string;
  fields?: Record<string, unknown>;
  time: Date;
}

export type LogSink = (record: LogRecord) => void;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const noopLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return noopLogger;
  },
};

export interface CreateLoggerOptions {
  sink: LogSink;
  /** Lowest level that reaches the sink. Default `info`. */
  level?: LogLevel;
  /** Default `camflow`. */
  namespace?: string;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const minimum = LEVEL_RANK[options.level ?? 'info'];
  const build = (namespace: string): Logger => {
    const write = (level: LogLevel, message: LogMessage, fields?: LogFields): void => {
      if (LEVEL_RANK[level] < minimum) return;
      const text = typeof message === 'function' ? message() : message;
      const record: LogRecord = { level, namespace, message: redactText(text), time: new Date() };
      if (fields !== undefined) record.fields = redactFields(fields);
      try {
        options.sink(record);
      } catch {
        // A broken sink must never break the code that logs.
      }
    };
    return {
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      child: (name) => build(`${namespace}:${name}`),
    };
  };
  return build(options.namespace ?? 'camflow');
}

/** One line per record: `2025-10-22T10:58:10.123Z info  camflow:overlay message {"k":1}`. */
export function formatLogRecord(record: LogRecord): string {
  const fields = record.fields === undefined ? '' : ` ${safeJson(record.fields)}`;
  return `${record.time.toISOString()} ${record.level.padEnd(5)} ${record.namespace} ${record.message}${fields}`;
}

const REDACTED = '[redacted]';

/** Keys whose values are secrets wherever they appear. */
const SECRET_KEY = /pass(word|wd)?$|^pwd$|secret|token|api[_-]?key|authorization|cookie|credential|^auth$/i;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

const TEXT_PATTERNS: readonly [RegExp, string][] = [
  // Authorization / Proxy-Authorization headers, whatever the scheme.
  // An Authorization header line: everything after the colon is credentials (Digest spans many params).
  [/((?:proxy-)?authorization\s*:\s*)(?!")[^\r\n]*/gi, `$1${REDACTED}`],
  // `Authorization=Digest ...` (a header dumped as key=value): the rest of the line is credentials.
  [/((?:proxy-)?authorization\s*=\s*)(?:digest|basic|bearer)\b[^\r\n]*/gi, `$1${REDACTED}`],
  // The parts of a Digest answer that prove the password, wherever they stand (JSON-escaped too).
  [/(\bresponse=\\?")[0-9a-f]+(\\?")/gi, `$1${REDACTED}$2`],
  [/\b(basic\s+)[A-Za-z0-9+/]{6,}={0,2}/gi, `$1${REDACTED}`],
  // Credentials inside URLs: scheme://user:pass@host. The password may itself hold an `@`: the
  // userinfo ends at the last `@` before the path.
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s/]*@/gi, `$1${REDACTED}@`],
  // key=value and key: value pairs, JSON "key":"value" included.
  [/((?:"|\b)(?:password|passwd|pwd|secret|token|refresh_token|access_token|api[_-]?key|authorization)"?\s*[:=]\s*)("[^"]*"|[^\s,;&"}]+)/gi, `$1"${REDACTED}"`],
];

/**
 * Secret values known to this process (passwords and tokens from the config, `${ENV}` values placed
 * anywhere): redacted wherever they appear, whatever the key or the shape of the text around them.
 * Longest first, so a secret that contains another is replaced whole.
 */
const knownSecrets: string[] = [];
/** Shorter values would redact ordinary words and numbers; no camera password is this short. */
const MIN_SECRET_LENGTH = 3;
/** A process knows a handful of secrets; a bound keeps a config reloaded forever from growing this. */
const MAX_SECRETS = 1024;

/** Makes `value` redacted in every log line and every message core formats from now on. */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  for (const form of new Set([value, uriEncoded(value)])) {
    if (knownSecrets.includes(form)) continue;
    if (knownSecrets.length >= MAX_SECRETS) knownSecrets.pop(); // the shortest goes
    knownSecrets.push(form);
    knownSecrets.sort((a, b) => b.length - a.length);
  }
}

/** The value as it appears inside a URL; itself when it cannot be encoded (a lone surrogate). */
function uriEncoded(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of TEXT_PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

export function redactFields(fields: LogFields): Record<string, unknown> {
  return redactValue(fields, new WeakSet()) as Record<string, unknown>;
}

function redactValue(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSecretKey(key) && inner !== undefined && inner !== '' ? REDACTED : redactValue(inner, seen);
  }
  return out;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return '[unserializable]';
  }
}
