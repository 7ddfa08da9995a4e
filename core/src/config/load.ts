import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
  const config = parseConfig(text, { ...options, source: file });
  // A Ring camera's data_dir, like pipeline.data_dir, is relative to the folder of camflow.yaml.
  for (const camera of config.cameras) {
    if (camera.type === 'ring' && camera.data_dir !== undefined) camera.data_dir = resolve(dirname(file), camera.data_dir);
  }
  return config;
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
  if (!result.success) issues.push(...withSuggestions(result.error.issues).map(toConfigIssue));
  if (issues.length > 0) {
    const located = issues.map((issue) => withLine(issue, doc, lineCounter));
    const count = located.length === 1 ? '1 problem' : `${located.length} problems`;
    throw new ConfigError(`${source} has ${count}:`, located);
  }
  // Safe: issues is empty only when parsing succeeded.
  const config = (result as z.ZodSafeParseSuccess<CamflowConfig>).data;
  // The Ring login lives with the pipeline's data unless a camera says otherwise.
  for (const camera of config.cameras) if (camera.type === 'ring') camera.data_dir ??= config.pipeline.data_dir;
  return config;
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

/**
 * A misspelt key (`usernme`) makes two issues: the unknown key and the missing one it was meant to be.
 * They become one: "unknown key "usernme": did you mean "username"?", and the missing-key issue goes.
 */
function withSuggestions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const missing = issues.filter((i) => i.code === 'invalid_type' && 'input' in i && i.input === undefined);
  const dropped = new Set<z.core.$ZodIssue>();
  const out: z.core.$ZodIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      out.push(issue);
      continue;
    }
    for (const key of issue.keys) {
      const here = missing.filter((m) => m.path.length === issue.path.length + 1 && issue.path.every((p, i) => m.path[i] === p));
      const known = here.map((m) => String(m.path.at(-1)));
      const guess = closest(key, known);
      if (guess !== undefined) for (const m of here) if (String(m.path.at(-1)) === guess) dropped.add(m);
      // Without its input: "(got a mapping)" would say nothing useful about a key.
      const { input: _input, ...rest } = issue;
      out.push({ ...rest, keys: [key], message: guess === undefined ? `unknown key "${key}"` : `unknown key "${key}": did you mean "${guess}"?` } as unknown as z.core.$ZodIssue);
    }
  }
  return out.filter((issue) => !dropped.has(issue));
}

/** The candidate within two edits of `word`, if exactly one is closest. */
function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
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
