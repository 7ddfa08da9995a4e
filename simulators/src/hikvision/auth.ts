/**
 * The simulated camera's digest checking, written from RFC 2617 and the Hikvision captures in
 * isapi.md, independently of core/src/http: MD5 + qop="auth", realm `IP Camera(E1518)`, nonces that
 * expire (stale="TRUE", quoted, upper case), `opaque=""`, replayed nc refused (order alone is no
 * proof: parallel connections deliver out of order), and the "illegal login lock" after N failures.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface SimAuthOptions {
  username: string;
  password: string;
  realm: string;
  nonceLifetimeMs: number;
  lockoutAfter: number;
  lockoutMs: number;
  basicOnly: boolean;
}

export type AuthVerdict =
  | { kind: 'ok' }
  /** Answer 401 with this challenge. `failed` = counted as a failed login. */
  | { kind: 'challenge'; header: string; stale: boolean; failed: boolean; replay: boolean }
  | { kind: 'locked'; header: string; unlockInS: number };

interface NonceState {
  issuedAt: number;
  used: Set<number>;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

export class SimAuth {
  private readonly options: SimAuthOptions;
  private password: string;
  private nonces = new Map<string, NonceState>();
  private failures = new Map<string, { count: number; lockedUntil: number }>();

  constructor(options: SimAuthOptions) {
    this.options = options;
    this.password = options.password;
  }

  setPassword(password: string): void {
    this.password = password;
  }

  /** A reboot forgets every nonce (and, like a real restart, the lock counters). */
  reset(): void {
    this.nonces.clear();
    this.failures.clear();
  }

  check(method: string, uri: string, authorization: string | undefined, ip: string, now = Date.now()): AuthVerdict {
    const lock = this.failures.get(ip);
    if (lock !== undefined && lock.lockedUntil > now) {
      return { kind: 'locked', header: this.challenge(false, now), unlockInS: Math.ceil((lock.lockedUntil - now) / 1000) };
    }
    if (authorization === undefined) return this.deny(false, false, false, ip, now);
    const space = authorization.indexOf(' ');
    const scheme = authorization.slice(0, space === -1 ? undefined : space).toLowerCase();
    const rest = space === -1 ? '' : authorization.slice(space + 1);
    if (this.options.basicOnly) {
      const ok = scheme === 'basic' && rest.trim() === Buffer.from(`${this.options.username}:${this.password}`).toString('base64');
      return ok ? this.succeed(ip) : this.deny(false, true, false, ip, now);
    }
    if (scheme !== 'digest') return this.deny(false, true, false, ip, now);
    return this.checkDigest(method, uri, parseParams(rest), ip, now);
  }

  private checkDigest(method: string, uri: string, p: Record<string, string>, ip: string, now: number): AuthVerdict {
    const nonce = p['nonce'] ?? '';
    const nc = p['nc'] ?? '';
    const wellFormed =
      p['username'] === this.options.username &&
      p['realm'] === this.options.realm &&
      p['uri'] === uri &&
      p['qop'] === 'auth' &&
      /^[0-9a-f]{8}$/i.test(nc) &&
      (p['cnonce'] ?? '') !== '' &&
      (p['algorithm'] === undefined || p['algorithm'].toUpperCase() === 'MD5') &&
      p['opaque'] === '';
    const ha1 = md5(`${this.options.username}:${this.options.realm}:${this.password}`);
    const expected = md5(`${ha1}:${nonce}:${nc}:${p['cnonce'] ?? ''}:auth:${md5(`${method}:${uri}`)}`);
    if (!wellFormed || p['response'] !== expected) return this.deny(false, true, false, ip, now);
    const state = this.nonces.get(nonce);
    // A nonce we never issued (or forgot in a reboot): plain 401 with a new nonce, as devices do.
    if (state === undefined) return this.deny(false, false, false, ip, now);
    if (now - state.issuedAt > this.options.nonceLifetimeMs) {
      this.nonces.delete(nonce);
      return this.deny(true, false, false, ip, now);
    }
    const count = parseInt(nc, 16);
    if (state.used.has(count)) return this.deny(false, false, true, ip, now);
    state.used.add(count);
    return this.succeed(ip);
  }

  private succeed(ip: string): AuthVerdict {
    this.failures.delete(ip);
    return { kind: 'ok' };
  }

  private deny(stale: boolean, failed: boolean, replay: boolean, ip: string, now: number): AuthVerdict {
    if (failed) {
      const entry = this.failures.get(ip) ?? { count: 0, lockedUntil: 0 };
      entry.count++;
      if (entry.count >= this.options.lockoutAfter) {
        entry.lockedUntil = now + this.options.lockoutMs;
        entry.count = 0;
      }
      this.failures.set(ip, entry);
    }
    return { kind: 'challenge', header: this.challenge(stale, now), stale, failed, replay };
  }

  /** A fresh challenge in the camera's exact spelling. */
  challenge(stale: boolean, now = Date.now()): string {
    if (this.options.basicOnly) return `Basic realm="${this.options.realm}"`;
    const nonce = this.issueNonce(now);
    return `Digest qop="auth", realm="${this.options.realm}", nonce="${nonce}", stale="${stale ? 'TRUE' : 'FALSE'}", opaque=""`;
  }

  private issueNonce(now: number): string {
    if (this.nonces.size > 256) {
      for (const [nonce, state] of this.nonces) {
        if (now - state.issuedAt > this.options.nonceLifetimeMs) this.nonces.delete(nonce);
      }
    }
    // Like the camera: hex of a base64 text such as `1064e7a0:6822e357`.
    const text = `${randomBytes(4).toString('hex')}:${Math.floor(now / 1000).toString(16)}`;
    const nonce = Buffer.from(Buffer.from(text).toString('base64')).toString('hex');
    this.nonces.set(nonce, { issuedAt: now, used: new Set() });
    return nonce;
  }
}

/** Authorization params: `name=token` or `name="quoted, with \"escapes\""`. */
function parseParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null && match[0] !== '') {
    const name = (match[1] ?? '').toLowerCase();
    out[name] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : (match[3] ?? '');
  }
  return out;
}
