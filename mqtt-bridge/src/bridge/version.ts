import { readFileSync } from 'node:fs';

/** The package version, read once from package.json (dist/bridge/ -> ../../package.json). */
export function bridgeVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
