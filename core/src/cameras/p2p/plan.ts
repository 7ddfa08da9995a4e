/**
 * Turns TrailCam client options into the attempts the racer runs: one LAN search, one direct
 * attempt per known session port (each with its own socket), P2P through the directory servers,
 * and the relay. Pure apart from resolving server host names.
 */
import { lookup } from 'node:dns/promises';
import { ConfigError, abortErrorFrom, throwIfAborted } from '../../errors.js';
import type { RaceAttempt } from '../../racer/types.js';
import type { Did, SockAddr } from './codec.js';
import { type Link, type PathMode, disposeLink } from './handshake.js';
import { type PathContext, directPath, lanPath, p2pPath, relayPath } from './paths.js';

/** The session port of the captured camera first, then the ports other tools guess. */
export const DEFAULT_SESSION_PORTS: readonly number[] = [40611, 32100, 32108, 10000, 80, 57743];
export const DEFAULT_LAN_PORT = 32108;
export const DEFAULT_BROADCAST = '255.255.255.255';
/** Usual order when nothing is remembered: LAN first, relay last. */
export const MODE_WEIGHTS: Readonly<Record<PathMode, number>> = { lan: 4, direct: 3, p2p: 2, relay: 1 };

export interface PlanInput {
  did: Did;
  host?: string;
  lanPort: number;
  ports: readonly number[];
  servers: readonly SockAddr[];
  relay: boolean;
  /** LAN_SEARCH broadcast target, sent besides the unicast to `host`; false = unicast only. */
  broadcastAddress: string | false;
  context: PathContext;
  modes?: readonly PathMode[];
}

export function planAttempts(input: PlanInput): RaceAttempt<Link>[] {
  const wanted = (mode: PathMode): boolean => input.modes === undefined || input.modes.includes(mode);
  const attempts: RaceAttempt<Link>[] = [];
  const ctx = input.context;
  const dispose = (link: Link): Promise<void> => disposeLink(link);
  const host = input.host;
  const lanTargets = lanSearchTargets(host, input.lanPort, input.broadcastAddress);
  if (wanted('lan') && lanTargets.length > 0) {
    const broadcast = input.broadcastAddress !== false && input.broadcastAddress.endsWith('.255');
    attempts.push({ name: 'lan', mode: 'lan', dispose, run: (signal, report) => lanPath(ctx, lanTargets, broadcast, signal, report) });
  }
  if (wanted('direct') && host !== undefined) {
    for (const port of new Set(input.ports)) {
      attempts.push({
        name: `direct:${port}`,
        mode: 'direct',
        dispose,
        run: (signal, report) => directPath(ctx, { address: host, port }, signal, report),
      });
    }
  }
  if (wanted('p2p') && input.servers.length > 0) {
    attempts.push({ name: 'p2p', mode: 'p2p', dispose, run: (signal, report) => p2pPath(ctx, input.servers, signal, report) });
  }
  if (wanted('relay') && input.relay && input.servers.length > 0) {
    attempts.push({ name: 'relay', mode: 'relay', dispose, run: (signal, report) => relayPath(ctx, input.servers, signal, report) });
  }
  return attempts;
}

/**
 * Where LAN_SEARCH goes each round: unicast to the camera and the broadcast target, both, as the
 * issue and the app do (the app sends a pair every 100 ms). Sent twice when both are the same address.
 */
export function lanSearchTargets(host: string | undefined, lanPort: number, broadcastAddress: string | false): SockAddr[] {
  const targets: SockAddr[] = [];
  if (host !== undefined) targets.push({ address: host, port: lanPort });
  if (broadcastAddress !== false) targets.push({ address: broadcastAddress, port: lanPort });
  return targets;
}

/**
 * `host:port` strings (or resolved pairs) to IPv4 socket addresses. Name lookups are bounded by
 * `signal`: node's lookup takes none, so an abort (or deadline) rejects at once and the late answer
 * is ignored.
 */
export async function resolveServers(servers: readonly (string | SockAddr)[], signal?: AbortSignal): Promise<SockAddr[]> {
  throwIfAborted(signal);
  return Promise.all(
    servers.map(async (server) => {
      if (typeof server !== 'string') return server;
      const match = /^(.+):(\d{1,5})$/.exec(server);
      const port = Number(match?.[2]);
      if (match === null || port < 1 || port > 65_535) throw new ConfigError(`bad P2P server address: ${server}`);
      const host = match[1] ?? '';
      const address = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : await lookupBounded(host, signal);
      return { address, port };
    }),
  );
}

async function lookupBounded(host: string, signal: AbortSignal | undefined): Promise<string> {
  if (signal === undefined) return (await lookup(host, { family: 4 })).address;
  throwIfAborted(signal);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(abortErrorFrom(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const lookedUp = lookup(host, { family: 4 });
  lookedUp.catch(() => {}); // an answer after the abort is dropped
  try {
    return (await Promise.race([lookedUp, aborted])).address;
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
