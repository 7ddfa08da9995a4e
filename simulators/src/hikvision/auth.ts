/**
 * The simulated camera's digest checking, written from RFC 2617 and the Hikvision captures in
 * isapi.md, independently of core/src/http: MD5 + qop="auth", realm `IP Camera(E1518)`, nonces that
 * expire (stale="TRUE", quoted, upper case), `opaque=""`, replayed nc refused (order alone is no
 * proof: parallel connections deliver out of order), and the "illegal login lock" after N failures.
 * Other RFC 7616 algorithms (SHA-256, the -sess forms) can be asked for, as other servers use them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SimDigestAlgorithm } from './types.js';

export interface SimAuthOptions {
  username: string;
  password: string;
  realm: string;
  nonceLifetimeMs: number;
  lockoutAfter: number;
  lockoutMs: number;
  basicOnly: boolean;
  /** Undefined: the camera's challenge, no algorithm parameter (means MD5). Else sent as `algorithm=`. */
  algorithm?: SimDigestAlgorithm | undefined;
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

function hasher(algorithm: SimDigestAlgorithm): (text: string) => string {
  const kind = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  return (text) => createHash(kind).update(text, 'utf8').digest('hex');
}

/**
 * HA1 per RFC 7616 §3.4.2: H(user:realm:password), and for a -sess algorithm
 * H(H(user:realm:password):nonce:cnonce), i.e. bound to the nonce and the client's cnonce.
 */
export function digestHa1(algorithm: SimDigestAlgorithm, user: string, realm: string, password: string, nonce: string, cnonce: string): string {
  const h = hasher(algorithm);
  const base = h(`${user}:${realm}:${password}`);
  return algorithm.endsWith('-sess') ? h(`${base}:${nonce}:${cnonce}`) : base;
}

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

  /** Every nonce issued so far counts as expired: its next use gets 401 stale="TRUE". */
  expireNonces(): void {
    for (const state of this.nonces.values()) state.issuedAt = Number.NEGATIVE_INFINITY;
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
      this.algorithmMatches(p['algorithm']) &&
      p['opaque'] === '';
    const algorithm = this.options.algorithm ?? 'MD5';
    const h = hasher(algorithm);
    const cnonce = p['cnonce'] ?? '';
    const ha1 = digestHa1(algorithm, this.options.username, this.options.realm, this.password, nonce, cnonce);
    const expected = h(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${h(`${method}:${uri}`)}`);
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

  /** The camera takes a missing algorithm or MD5; an explicit algorithm must be echoed as challenged. */
  private algorithmMatches(sent: string | undefined): boolean {
    const wanted = this.options.algorithm;
    if (wanted === undefined) return sent === undefined || sent.toUpperCase() === 'MD5';
    return sent !== undefined && sent.toUpperCase() === wanted.toUpperCase();
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
    const algorithm = this.options.algorithm === undefined ? '' : `, algorithm=${this.options.algorithm}`;
    return `Digest qop="auth", realm="${this.options.realm}", nonce="${nonce}", stale="${stale ? 'TRUE' : 'FALSE'}", opaque=""${algorithm}`;
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
