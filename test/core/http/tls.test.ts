import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CameraHttpClient, ConnectionError, createLogger, type LogRecord } from '@camflow/core';

let server: Server;
let origin: string;
let fingerprint: string;
let caFile: string;
const clients: CameraHttpClient[] = [];

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'camflow-tls-'));
  caFile = join(dir, 'cert.pem');
  await promisify(execFile)('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', caFile]);
  const cert = await readFile(caFile);
  fingerprint = new X509Certificate(cert).fingerprint256;
  server = createServer({ cert, key: await readFile(join(dir, 'key.pem')) }, (_req, res) => res.end('ok'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  origin = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});

afterAll(async () => {
  for (const client of clients) await client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(tls: NonNullable<ConstructorParameters<typeof CameraHttpClient>[0]['tls']>, records: LogRecord[] = []): CameraHttpClient {
  const c = new CameraHttpClient({ origin, username: 'u', password: 'p', tls, logger: createLogger({ sink: (r) => records.push(r) }) });
  clients.push(c);
  return c;
}

const get = (c: CameraHttpClient) => c.request({ method: 'GET', path: '/' });

describe('CameraHttpClient TLS', () => {
  it('rejects a self-signed camera by default', async () => {
    await expect(get(client(true))).rejects.toBeInstanceOf(ConnectionError);
  });

  it('accepts it with the pinned SHA-256 fingerprint and refuses another one', async () => {
    expect((await get(client({ fingerprint256: fingerprint }))).status).toBe(200);
    const wrong = fingerprint.replace(/^../, fingerprint.startsWith('00') ? '11' : '00');
    await expect(get(client({ fingerprint256: wrong }))).rejects.toThrow(/pinned fingerprint/);
  });

  it('accepts it with its CA file', async () => {
    expect((await get(client({ ca: caFile }))).status).toBe(200);
  });

  it('insecure: true works and warns once', async () => {
    const records: LogRecord[] = [];
    const c = client({ insecure: true }, records);
    await get(c);
    await get(c);
    expect(records.filter((r) => r.level === 'warn' && r.message.includes('verification is OFF'))).toHaveLength(1);
  });
});
