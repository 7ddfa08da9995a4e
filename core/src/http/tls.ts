/**
 * TLS for one camera: system CAs, a CA file, a pinned SHA-256 certificate fingerprint (self-signed
 * cameras), or verification explicitly off. Pinning checks the leaf certificate after the handshake,
 * because Node only calls checkServerIdentity for chains it already trusts.
 */
import { readFile } from 'node:fs/promises';
import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';
import type { TlsOption } from '../config/common.js';
import { ConfigError, ConnectionError } from '../errors.js';
import type { Logger } from '../log.js';

export function usesTls(tls: TlsOption | undefined): boolean {
  return tls !== undefined && tls !== false;
}

/** The `connect` option for an undici Pool, or undefined for plain HTTP / default verification. */
export async function buildTlsConnect(
  tls: TlsOption | undefined,
  logger: Logger,
  name: string,
): Promise<buildConnector.connector | undefined> {
  if (tls === undefined || tls === false || tls === true) return undefined;
  if ('ca' in tls) {
    let ca: Buffer;
    try {
      ca = await readFile(tls.ca);
    } catch (error) {
      throw new ConfigError(`Cannot read the CA file for ${name}: ${(error as Error).message}`, [], { cause: error });
    }
    return buildConnector({ ca, rejectUnauthorized: true });
  }
  if ('insecure' in tls) {
    logger.warn(`TLS certificate verification is OFF for ${name} (tls.insecure: true)`);
    return buildConnector({ rejectUnauthorized: false });
  }
  return pinnedConnector(tls.fingerprint256, name);
}

function pinnedConnector(fingerprint: string, name: string): buildConnector.connector {
  const wanted = fingerprint.toUpperCase();
  const base = buildConnector({ rejectUnauthorized: false });
  return (options, callback) =>
    base(options, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      const got = (socket as TLSSocket).getPeerCertificate().fingerprint256.toUpperCase();
      if (got === wanted) {
        callback(null, socket);
        return;
      }
      socket.destroy();
      callback(new ConnectionError(`TLS certificate of ${name} does not match the pinned fingerprint (got ${got})`), null);
    });
}
