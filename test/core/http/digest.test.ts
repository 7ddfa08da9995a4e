import { describe, expect, it } from 'vitest';
import { buildDigestAuthorization, entryFromChallenge, parseWwwAuthenticate, pickChallenge } from '@camflow/core';

const param = (header: string, name: string): string | undefined =>
  new RegExp(`${name}=(?:"([^"]*)"|([^,\\s]*))`).exec(header)?.slice(1).find((v) => v !== undefined);

describe('digest header maths', () => {
  it('matches the RFC 2617 §3.5 vector', () => {
    const challenge = { scheme: 'digest', params: { realm: 'testrealm@host.com', qop: 'auth', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque: '5ccc069c403ebaf9f0171e9517f40e41' } };
    const creds = { username: 'Mufasa', password: 'Circle Of Life' };
    const header = buildDigestAuthorization(entryFromChallenge(challenge, creds), creds, { method: 'GET', uri: '/dir/index.html' }, '0a4f113b');
    expect(param(header, 'response')).toBe('6629fae49393a05397450978507c4ef1');
    expect(header).toContain('nc=00000001');
    expect(header).toContain('qop=auth');
    expect(header).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
  });

  it.each([
    ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
    ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
  ])('matches the RFC 7616 §3.9.1 %s vector', (algorithm, expected) => {
    const challenge = { scheme: 'digest', params: { realm: 'http-auth@example.org', qop: 'auth, auth-int', algorithm, nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS' } };
    const creds = { username: 'Mufasa', password: 'Circle of Life' };
    const header = buildDigestAuthorization(entryFromChallenge(challenge, creds), creds, { method: 'GET', uri: '/dir/index.html' }, 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ');
    expect(param(header, 'response')).toBe(expected);
    expect(header).toContain(`algorithm=${algorithm}`);
  });

  it('counts nc in hex, one per header, and echoes an empty opaque', () => {
    const creds = { username: 'admin', password: 'pw' };
    const entry = entryFromChallenge({ scheme: 'digest', params: { realm: 'r', nonce: 'n', qop: 'auth', opaque: '' } }, creds);
    const headers = Array.from({ length: 17 }, () => buildDigestAuthorization(entry, creds, { method: 'GET', uri: '/a?b=1' }));
    expect(param(headers[0]!, 'nc')).toBe('00000001');
    expect(param(headers[15]!, 'nc')).toBe('00000010');
    expect(new Set(headers.map((h) => param(h, 'cnonce'))).size).toBe(17);
    expect(headers[0]).toContain('opaque=""');
    expect(headers[0]).toContain('uri="/a?b=1"');
  });

  it('answers a challenge without qop in the RFC 2069 form', () => {
    const creds = { username: 'a', password: 'b' };
    const header = buildDigestAuthorization(entryFromChallenge({ scheme: 'digest', params: { realm: 'r', nonce: 'n' } }, creds), creds, { method: 'GET', uri: '/' });
    expect(header).not.toContain('nc=');
    expect(header).not.toContain('qop');
  });

  it('parses several challenges, quoted commas and upper-case stale', () => {
    const challenges = parseWwwAuthenticate([
      'Basic realm="old"',
      'Digest realm="fe12f37bd", domain="::", qop="auth,auth-int", nonce="300b7e88:1685", opaque="", algorithm="MD5", stale="FALSE"',
    ]);
    expect(challenges.map((c) => c.scheme)).toEqual(['basic', 'digest']);
    expect(challenges[1]?.params).toMatchObject({ domain: '::', qop: 'auth,auth-int', opaque: '', stale: 'FALSE' });
    expect(pickChallenge(challenges)?.scheme).toBe('digest');
    const both = parseWwwAuthenticate('Digest realm="a", nonce="x", algorithm=SHA-256, Digest realm="a", nonce="y", algorithm=MD5');
    expect(pickChallenge(both)?.params['algorithm']).toBe('SHA-256');
    expect(pickChallenge(parseWwwAuthenticate('Basic realm="cam"'))?.scheme).toBe('basic');
  });
});
