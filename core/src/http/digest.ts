/**
 * HTTP Digest (RFC 7616 / RFC 2617) as cameras need it: pure parsing and header building, plus the
 * per-origin cache that lets every request after the first carry a pre-emptive Authorization header
 * (one round trip in steady state). No I/O here; http/client.ts does the sending.
 */
import { hash, randomFillSync } from 'node:crypto';

export interface Challenge {
  /** Lower-case scheme: `digest`, `basic`, ... */
  scheme: string;
  /** Parameters by lower-case name, values unquoted. */
  params: Record<string, string>;
}

/**
 * Parses one or more WWW-Authenticate values (RFC 7235): several challenges may share one header,
 * quoted strings may contain commas (`qop="auth,auth-int"`, `domain="::"`) and escaped quotes.
 */
export function parseWwwAuthenticate(values: string | readonly string[] | undefined): Challenge[] {
  if (values === undefined) return [];
  const out: Challenge[] = [];
  for (const value of typeof values === 'string' ? [values] : values) parseOneHeader(value, out);
  return out;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

function parseOneHeader(text: string, out: Challenge[]): void {
  let rest = text.trim();
  let current: Challenge | undefined;
  while (rest.length > 0) {
    rest = rest.replace(/^[\s,]+/, '');
    const name = TOKEN.exec(rest)?.[0];
    if (name === undefined) return; // garbage: keep what we have
    rest = rest.slice(name.length).replace(/^\s+/, '');
    if (rest.startsWith('=') && current !== undefined) {
      rest = rest.slice(1).replace(/^\s+/, '');
      const [value, after] = readParamValue(rest);
      current.params[name.toLowerCase()] = value;
      rest = after;
    } else {
      current = { scheme: name.toLowerCase(), params: {} };
      out.push(current);
    }
  }
}

function readParamValue(text: string): [string, string] {
  if (!text.startsWith('"')) {
    const end = text.search(/[\s,]/);
    return end === -1 ? [text, ''] : [text.slice(0, end), text.slice(end)];
  }
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) {
      value += text[++i];
    } else if (ch === '"') {
      return [value, text.slice(i + 1)];
    } else {
      value += ch;
    }
  }
  return [value, ''];
}

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

const HASH_OF: Record<string, { hash: 'md5' | 'sha256'; sess: boolean; name: DigestAlgorithm; rank: number }> = {
  'md5': { hash: 'md5', sess: false, name: 'MD5', rank: 1 },
  'md5-sess': { hash: 'md5', sess: true, name: 'MD5-sess', rank: 1 },
  'sha-256': { hash: 'sha256', sess: false, name: 'SHA-256', rank: 2 },
  'sha-256-sess': { hash: 'sha256', sess: true, name: 'SHA-256-sess', rank: 2 },
};

/**
 * The challenge we answer: the strongest Digest we can speak, else Basic, else none. A Digest whose
 * qop list lacks `auth` (auth-int only) is one we cannot answer, so it never wins over one we can
 * (a camera offering SHA-256 with auth-int and MD5 with auth gets MD5).
 */
export function pickChallenge(challenges: readonly Challenge[]): Challenge | undefined {
  let best: Challenge | undefined;
  let bestRank = 0;
  for (const challenge of challenges) {
    if (challenge.scheme === 'digest' && challenge.params['nonce'] !== undefined && speaksQop(challenge.params['qop'])) {
      const algorithm = HASH_OF[(challenge.params['algorithm'] ?? 'MD5').toLowerCase()];
      if (algorithm !== undefined && algorithm.rank + 10 > bestRank) {
        best = challenge;
        bestRank = algorithm.rank + 10;
      }
    } else if (challenge.scheme === 'basic' && bestRank === 0) {
      best = challenge;
      bestRank = 0.5;
    }
  }
  return best;
}

/** No qop (RFC 2069) or a qop list that includes `auth`. */
function speaksQop(qop: string | undefined): boolean {
  if (qop === undefined) return true;
  const qops = qop.split(',').map((q) => q.trim().toLowerCase()).filter((q) => q !== '');
  return qops.length === 0 || qops.includes('auth');
}

export function isStale(challenge: Challenge): boolean {
  return (challenge.params['stale'] ?? '').toLowerCase() === 'true';
}

/** What we remember per origin + realm: enough to sign the next request without a 401. */
export interface DigestEntry {
  realm: string;
  nonce: string;
  /** Absent when the challenge had none; '' is echoed as `opaque=""`. */
  opaque: string | undefined;
  algorithm: DigestAlgorithm;
  /** The algorithm token was present in the challenge (echo it only then). */
  algorithmSent: boolean;
  /** 'auth', or undefined for the RFC 2069 form without qop. */
  qop: 'auth' | undefined;
  /** Last nc handed out for this nonce. */
  nc: number;
  /** H(user:realm:password), computed once per realm. */
  ha1Base: string;
  /** H(method:uri) by `method uri`: a camera is asked the same few things over and over. */
  ha2?: Map<string, string>;
}

const HA2_CACHE_SIZE = 64;

export interface Credentials {
  username: string;
  password: string;
}

function hashWith(kind: 'md5' | 'sha256', text: string): string {
  // One-shot hash: no Hash object per call (three per signed request).
  return hash(kind, text, 'hex');
}

/**
 * Fresh cnonces without a randomBytes call (and its buffer) per request: 16 random bytes at a time
 * from a pool refilled from the CSPRNG every 256 requests. Each byte is handed out once.
 */
const CNONCE_BYTES = 16;
const cnoncePool = Buffer.alloc(CNONCE_BYTES * 256);
let cnonceOffset = cnoncePool.length;

function freshCnonce(): string {
  if (cnonceOffset >= cnoncePool.length) {
    randomFillSync(cnoncePool);
    cnonceOffset = 0;
  }
  const start = cnonceOffset;
  cnonceOffset += CNONCE_BYTES;
  return cnoncePool.toString('hex', start, start + CNONCE_BYTES);
}

/** Builds the cache entry from a Digest challenge. Throws on a qop we cannot speak (auth-int only). */
export function entryFromChallenge(challenge: Challenge, credentials: Credentials): DigestEntry {
  const p = challenge.params;
  const algorithm = HASH_OF[(p['algorithm'] ?? 'MD5').toLowerCase()];
  if (algorithm === undefined) throw new Error(`unsupported digest algorithm ${p['algorithm'] ?? ''}`);
  const qops = (p['qop'] ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q !== '');
  if (qops.length > 0 && !qops.includes('auth')) throw new Error(`unsupported digest qop ${p['qop'] ?? ''}`);
  const realm = p['realm'] ?? '';
  return {
    realm,
    nonce: p['nonce'] ?? '',
    opaque: p['opaque'],
    algorithm: algorithm.name,
    algorithmSent: p['algorithm'] !== undefined,
    qop: qops.length > 0 ? 'auth' : undefined,
    nc: 0,
    ha1Base: hashWith(algorithm.hash, `${credentials.username}:${realm}:${credentials.password}`),
    ha2: new Map(),
  };
}

export interface DigestRequest {
  method: string;
  /** The request-target exactly as on the request line (path and query). */
  uri: string;
}

/** Signs one request: takes the next nc synchronously, so concurrent requests never share one. */
export function buildDigestAuthorization(
  entry: DigestEntry,
  credentials: Credentials,
  request: DigestRequest,
  cnonce: string = freshCnonce(),
): string {
  const algorithm = HASH_OF[entry.algorithm.toLowerCase()];
  /* c8 ignore next */
  if (algorithm === undefined) throw new Error(`unsupported digest algorithm ${entry.algorithm}`);
  const kind = algorithm.hash;
  entry.nc += 1;
  const nc = entry.nc.toString(16).padStart(8, '0');
  const ha1 = algorithm.sess ? hashWith(kind, `${entry.ha1Base}:${entry.nonce}:${cnonce}`) : entry.ha1Base;
  const ha2 = cachedHa2(entry, kind, request);
  const response =
    entry.qop === undefined ? hashWith(kind, `${ha1}:${entry.nonce}:${ha2}`) : hashWith(kind, `${ha1}:${entry.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  let header = `Digest username=${quote(credentials.username)}, realm=${quote(entry.realm)}, nonce=${quote(entry.nonce)}, uri=${quote(request.uri)}`;
  if (entry.algorithmSent) header += `, algorithm=${entry.algorithm}`;
  header += `, response="${response}"`;
  if (entry.opaque !== undefined) header += `, opaque=${quote(entry.opaque)}`;
  if (entry.qop !== undefined) header += `, qop=auth, nc=${nc}, cnonce=${quote(cnonce)}`;
  return header;
}

function cachedHa2(entry: DigestEntry, kind: 'md5' | 'sha256', request: DigestRequest): string {
  const key = `${request.method} ${request.uri}`;
  const known = entry.ha2?.get(key);
  if (known !== undefined) return known;
  const ha2 = hashWith(kind, `${request.method}:${request.uri}`);
  if (entry.ha2 !== undefined) {
    if (entry.ha2.size >= HA2_CACHE_SIZE) entry.ha2.clear();
    entry.ha2.set(key, ha2);
  }
  return ha2;
}

export function buildBasicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

const NEEDS_QUOTING = /["\\]/;

function quote(value: string): string {
  return NEEDS_QUOTING.test(value) ? `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"` : `"${value}"`;
}

/** `nextnonce` from an Authentication-Info header (RFC 7616 §3.5), if any. */
export function nextNonce(authenticationInfo: string | undefined): string | undefined {
  if (authenticationInfo === undefined) return undefined;
  const [challenge] = parseWwwAuthenticate(`Digest ${authenticationInfo}`);
  return challenge?.params['nextnonce'];
}
