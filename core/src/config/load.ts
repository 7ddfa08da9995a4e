import { readFile } from 'node:fs/promises';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { isSecretKey, registerSecret } from '../log.js';
import { type Environment, formatPath, substituteEnv } from './env.js';
import { type CamflowConfig, camflowConfig } from './schema.js';

export interface ParseConfigOptions {
  /** Where `${VAR}` references are looked up. Default: `process.env`. */
  env?: Environment;
  /** Named in error messages. */
  source?: string;
}

/** Reads, substitutes and validates a camflow.yaml. Throws ConfigError listing every problem at once. */
export async function loadConfig(file: string, options: Omit<ParseConfigOptions, 'source'> = {}): Promise<CamflowConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`Cannot read config ${file}: ${reason}`, [], { cause: error });
  }
  return parseConfig(text, { ...options, source: file });
}

export function parseConfig(text: string, options: ParseConfigOptions = {}): CamflowConfig {
  const source = options.source ?? 'config';
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => ({
      path: '',
      message: yamlProblem(error.message, error.code),
      line: error.linePos?.[0].line,
    }));
    throw new ConfigError(`${source} is not valid YAML`, issues.map(dropUndefinedLine));
  }
  const raw: unknown = doc.toJS() ?? {};
  const issues: ConfigIssue[] = [];
  const fromEnv: string[] = [];
  const substituted = substituteEnv(raw, options.env ?? process.env, issues, [], fromEnv);
  // Before anything can report a problem: every secret the config holds is redacted by value from
  // now on, in this error's message and in every log line.
  for (const value of fromEnv) registerSecret(value);
  registerConfigSecrets(substituted);
  const result = camflowConfig.safeParse(substituted, { reportInput: true });
  if (!result.success) issues.push(...result.error.issues.map(toConfigIssue));
  if (issues.length > 0) {
    const located = issues.map((issue) => withLine(issue, doc, lineCounter));
    const count = located.length === 1 ? '1 problem' : `${located.length} problems`;
    throw new ConfigError(`${source} has ${count}:`, located);
  }
  // Safe: issues is empty only when parsing succeeded.
  return (result as z.ZodSafeParseSuccess<CamflowConfig>).data;
}

/** Values under secret-named keys, and the password of any URL with userinfo (a broker URL). */
function registerConfigSecrets(value: unknown, key = ''): void {
  if (typeof value === 'string') {
    if (key !== '' && isSecretKey(key)) registerSecret(value);
    for (const match of value.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:([^\s/]*)@/gi)) {
      registerSecret(match[1]);
      registerSecret(safeDecode(match[1] ?? ''));
    }
    return;
  }
  if (Array.isArray(value)) for (const item of value) registerConfigSecrets(item, key);
  else if (value !== null && typeof value === 'object') for (const [inner, item] of Object.entries(value)) registerConfigSecrets(item, inner);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The YAML library's message, made to read as one sentence followed by the offending line and a caret
 * (its "pretty" form ends the sentence with ` at line L, column C:` and puts the snippet below).
 */
function yamlProblem(message: string, code: string): string {
  const [first = code, ...snippet] = message.split('\n');
  const sentence = first.replace(/ at line \d+, column \d+:?$/, '').replace(/:$/, '');
  const context = snippet.filter((line) => line.trim() !== '').map((line) => `      ${line}`);
  return [`YAML: ${sentence}`, ...context].join('\n');
}

function toConfigIssue(issue: z.core.$ZodIssue): ConfigIssue {
  const path = formatPath(issue.path);
  const out: ConfigIssue = { path, message: issue.message };
  const last = issue.path.at(-1);
  if ('input' in issue && issue.input !== undefined) {
    out.value = typeof last === 'string' && isSecretKey(last) ? '[redacted]' : describeValue(issue.input);
  }
  return out;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** Adds the line of the value (or of its closest existing parent) in the YAML source. */
function withLine(issue: ConfigIssue, doc: ReturnType<typeof parseDocument>, lines: LineCounter): ConfigIssue {
  const keys = parsePath(issue.path);
  for (let depth = keys.length; depth > 0; depth--) {
    const node: unknown = doc.getIn(keys.slice(0, depth), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      return { ...issue, line: lines.linePos(node.range[0]).line };
    }
  }
  return issue;
}

function parsePath(path: string): (string | number)[] {
  const keys: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) keys.push(Number(match[2]));
    else if (match[1] !== undefined) keys.push(match[1]);
  }
  return keys;
}

function dropUndefinedLine(issue: { path: string; message: string; line: number | undefined }): ConfigIssue {
  return issue.line === undefined ? { path: issue.path, message: issue.message } : { path: issue.path, message: issue.message, line: issue.line };
}
