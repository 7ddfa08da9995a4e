/**
 * Small pieces the bridge keeps apart from its flow: file-safe names, when it was last online (for
 * resuming its MQTT session), and a broker URL's credentials taken out by hand.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 64) || 'camflow';
}

export async function readLastOnline(file: string): Promise<number | undefined> {
  try {
    const at = (JSON.parse(await readFile(file, 'utf8')) as { lastOnlineAt?: unknown }).lastOnlineAt;
    return typeof at === 'number' && Number.isFinite(at) ? at : undefined;
  } catch {
    return undefined;
  }
}

export async function writeLastOnline(file: string, at: number): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(`${file}.part`, JSON.stringify({ lastOnlineAt: at }));
    await rename(`${file}.part`, file);
  } catch {
    // Best effort: without it, the next start just begins a clean session.
  }
}

/** `mqtt://user:pa#ss@host:1883` -> the URL without userinfo, and the user and password (the last `@` ends them). */
export function splitUserinfo(url: string): { url: string; username?: string; password?: string } {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(url);
  if (match === null) return { url };
  const [, scheme = '', rest = ''] = match;
  const slash = rest.indexOf('/');
  const at = rest.lastIndexOf('@', slash === -1 ? rest.length : slash);
  if (at === -1) return { url };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text;
    }
  };
  const username = decode(colon === -1 ? userinfo : userinfo.slice(0, colon));
  const out: { url: string; username?: string; password?: string } = { url: scheme + rest.slice(at + 1), username };
  if (colon !== -1) out.password = decode(userinfo.slice(colon + 1));
  return out;
}
