/**
 * Turns TrailCam client options into the attempts the racer runs: one LAN search, one direct
 * attempt per known session port (each with its own socket), P2P through the directory servers,
 * and the relay. Pure apart from resolving server host names.
 */
import { lookup } from 'node:dns/promises';
import { ConfigError } from '../../errors.js';
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
  /** Extra LAN_SEARCH target; false = unicast to `host` only. */
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
  const lanTargets: SockAddr[] = [];
  if (host !== undefined) lanTargets.push({ address: host, port: input.lanPort });
  if (input.broadcastAddress !== false && input.broadcastAddress !== host) {
    lanTargets.push({ address: input.broadcastAddress, port: input.lanPort });
  }
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

/** `host:port` strings (or resolved pairs) to IPv4 socket addresses. */
export async function resolveServers(servers: readonly (string | SockAddr)[]): Promise<SockAddr[]> {
  return Promise.all(
    servers.map(async (server) => {
      if (typeof server !== 'string') return server;
      const match = /^(.+):(\d{1,5})$/.exec(server);
      const port = Number(match?.[2]);
      if (match === null || port < 1 || port > 65_535) throw new ConfigError(`bad P2P server address: ${server}`);
      const host = match[1] ?? '';
      const address = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? host : (await lookup(host, { family: 4 })).address;
      return { address, port };
    }),
  );
}
