import type { ConfigIssue } from '../errors.js';

/**
 * `${NAME}` and `${NAME:-default}` in string values are replaced from the environment; `$${` stands for
 * a literal `${`. Substitution runs on parsed values, never on the YAML text, so a secret containing
 * `:` or `#` cannot change the document's structure.
 */
const REFERENCE = /\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * `used` collects every value taken from the environment: that is where secrets live, whatever the
 * key they are placed under, so the loader treats each one as a secret.
 */
export function substituteEnv(value: unknown, env: Environment, issues: ConfigIssue[], path: (string | number)[] = [], used: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, escaped: string | undefined, name: string, fallback: string | undefined) => {
      if (escaped !== undefined) return whole.slice(1);
      const found = env[name];
      if (found !== undefined) {
        used.push(found);
        return found;
      }
      if (fallback !== undefined) return fallback;
      issues.push({ path: formatPath(path), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteEnv(item, env, issues, [...path, index], used));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = substituteEnv(inner, env, issues, [...path, key], used);
    return out;
  }
  return value;
}

/** `['cameras', 0, 'port']` -> `cameras[0].port`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}
