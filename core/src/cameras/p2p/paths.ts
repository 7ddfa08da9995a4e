/**
 * The four ways to reach a PPPP device, each an attempt for the racer. Success is the device's
 * P2P_RDY (LAN, direct, P2P) or the relay's RLY_RDY, as in shared/reference/p2p-pppp.md.
 * - lan: LAN_SEARCH to the camera (and a broadcast target) every 100 ms; the device answers
 *   PUNCH_PKT from its session port, which we echo; P2P_RDY follows.
 * - direct: PUNCH_PKT straight to one known session port (no search).
 * - p2p: P2P_REQ to the directory servers; PUNCH_TO names the device; punch port-3..port+3.
 * - relay: LIST_REQ1 for relays, RLY_HELLO/RLY_PORT at the relay, RLY_REQ at the server, RLY_PKT
 *   until the relay says RLY_RDY.
 */
import { ConnectionError, ProtocolError } from '../../errors.js';
import type { AttemptReporter } from '../../racer/types.js';
import { type Did, type SockAddr, didEquals } from './codec.js';
import { type Link, openSocket, runHandshake, sendTo } from './handshake.js';

export interface PathContext {
  did: Did;
  /** Address our sockets bind to. Default 0.0.0.0; tests use 127.0.0.1. */
  localAddress: string;
  /** Probe resend interval. Default 100 ms (the app's LAN_SEARCH cadence). */
  intervalMs: number;
}

const same = (a: SockAddr, b: SockAddr): boolean => a.address === b.address && a.port === b.port;

export async function lanPath(
  ctx: PathContext,
  targets: readonly SockAddr[],
  broadcast: boolean,
  signal: AbortSignal,
  report: AttemptReporter,
): Promise<Link> {
  const socket = await openSocket(ctx.localAddress, signal);
  if (broadcast) socket.setBroadcast(true);
  report.setLocalPort(socket.address().port);
  let device: SockAddr | undefined;
  return runHandshake('lan', socket, signal, {
    intervalMs: ctx.intervalMs,
    peers: () => (device === undefined ? [] : [device]),
    probe: (round) => {
      if (round > 0) report.addRetry();
      for (const target of targets) sendTo(socket, { type: 'LAN_SEARCH' }, target);
    },
    onMessage: (message, from) => {
      if (message.type === 'PUNCH_PKT' && didEquals(message.did, ctx.did)) {
        device = from;
        report.setDestination(from.port, from.address);
        sendTo(socket, { type: 'PUNCH_PKT', did: ctx.did }, from);
      }
      if (message.type === 'P2P_RDY' && didEquals(message.did, ctx.did)) return from;
      return undefined;
    },
  });
}

export async function directPath(ctx: PathContext, target: SockAddr, signal: AbortSignal, report: AttemptReporter): Promise<Link> {
  const socket = await openSocket(ctx.localAddress, signal);
  report.setLocalPort(socket.address().port);
  report.setDestination(target.port, target.address);
  let device: SockAddr | undefined;
  return runHandshake('direct', socket, signal, {
    intervalMs: ctx.intervalMs,
    peers: () => [device ?? target],
    probe: (round) => {
      if (round > 0) report.addRetry();
      sendTo(socket, { type: 'PUNCH_PKT', did: ctx.did }, target);
    },
    onMessage: (message, from) => {
      if (from.address !== target.address) return undefined;
      if (message.type === 'PUNCH_PKT' && didEquals(message.did, ctx.did)) {
        device = from;
        if (!same(from, target)) sendTo(socket, { type: 'PUNCH_PKT', did: ctx.did }, from);
      }
      if (message.type === 'P2P_RDY' && didEquals(message.did, ctx.did)) {
        report.setDestination(from.port, from.address);
        return from;
      }
      return undefined;
    },
  });
}

/** How far around an announced port we punch: NATs shift ports a little (p-3..p+3). */
const PUNCH_SPREAD = 3;

export async function p2pPath(ctx: PathContext, servers: readonly SockAddr[], signal: AbortSignal, report: AttemptReporter): Promise<Link> {
  if (servers.length === 0) throw new ConnectionError('no P2P directory server configured');
  const socket = await openSocket(ctx.localAddress, signal);
  const local = socket.address();
  report.setLocalPort(local.port);
  const punchTargets: SockAddr[] = [];
  const refused = new Set<string>();
  let device: SockAddr | undefined;
  return runHandshake('p2p', socket, signal, {
    intervalMs: ctx.intervalMs,
    // Every port we punched may have reserved a session slot on the device: CLOSE them all.
    peers: () => (device === undefined ? punchTargets : [device]),
    probe: (round) => {
      if (round > 0) report.addRetry();
      if (punchTargets.length === 0) {
        for (const server of servers) {
          if (round === 0) sendTo(socket, { type: 'HELLO' }, server);
          sendTo(socket, { type: 'P2P_REQ', did: ctx.did, local: { address: local.address, port: local.port } }, server);
        }
      }
      for (const target of punchTargets) sendTo(socket, { type: 'PUNCH_PKT', did: ctx.did }, target);
    },
    onMessage: (message, from) => {
      const fromServer = servers.some((s) => same(s, from));
      if (fromServer && message.type === 'P2P_REQ_ACK' && message.result < 0) {
        refused.add(`${from.address}:${from.port}`);
        if (refused.size === servers.length) return new ProtocolError(`the P2P servers refused the device id (result ${message.result})`);
      }
      if (fromServer && message.type === 'PUNCH_TO') addPunchTargets(punchTargets, message.to);
      if (message.type === 'PUNCH_PKT' && didEquals(message.did, ctx.did)) {
        device = from;
        report.setDestination(from.port, from.address);
        sendTo(socket, { type: 'PUNCH_PKT', did: ctx.did }, from);
      }
      if (message.type === 'P2P_RDY' && didEquals(message.did, ctx.did)) {
        report.setDestination(from.port, from.address);
        return from;
      }
      return undefined;
    },
  });
}

function addPunchTargets(targets: SockAddr[], to: SockAddr): void {
  for (let port = to.port - PUNCH_SPREAD; port <= to.port + PUNCH_SPREAD; port++) {
    if (port < 1 || port > 65_535 || targets.some((t) => t.address === to.address && t.port === port)) continue;
    targets.push({ address: to.address, port });
  }
}

type RelayStage = 'list' | 'hello' | 'port' | 'request' | 'punch';

export async function relayPath(ctx: PathContext, servers: readonly SockAddr[], signal: AbortSignal, report: AttemptReporter): Promise<Link> {
  if (servers.length === 0) throw new ConnectionError('no P2P server configured to find a relay');
  const socket = await openSocket(ctx.localAddress, signal);
  report.setLocalPort(socket.address().port);
  let stage: RelayStage = 'list';
  let relay: SockAddr | undefined;
  let session: SockAddr | undefined;
  let magic = 0;
  const send = (): void => {
    if (stage === 'list') for (const s of servers) sendTo(socket, { type: 'LIST_REQ1', did: ctx.did }, s);
    if (relay !== undefined && stage === 'hello') sendTo(socket, { type: 'RLY_HELLO' }, relay);
    if (relay !== undefined && stage === 'port') sendTo(socket, { type: 'RLY_PORT' }, relay);
    if (session !== undefined && stage === 'request') {
      for (const s of servers) sendTo(socket, { type: 'RLY_REQ', did: ctx.did, relay: session, magic }, s);
    }
    if (session !== undefined && stage === 'punch') sendTo(socket, { type: 'RLY_PKT', magic, did: ctx.did, fromDevice: false }, session);
  };
  return runHandshake('relay', socket, signal, {
    intervalMs: ctx.intervalMs,
    peers: () => (session === undefined || stage !== 'punch' ? [] : [session]),
    probe: (round) => {
      if (round > 0) report.addRetry();
      send();
    },
    onMessage: (message, from) => {
      const fromServer = servers.some((s) => same(s, from));
      if (stage === 'list' && fromServer && message.type === 'LIST_REQ_ACK') {
        relay = message.relays[0];
        if (relay === undefined) return new ConnectionError('the P2P server lists no relay');
        stage = 'hello';
      } else if (stage === 'hello' && relay !== undefined && same(from, relay) && message.type === 'RLY_HELLO_ACK') {
        stage = 'port';
      } else if (stage === 'port' && relay !== undefined && same(from, relay) && message.type === 'RLY_PORT_ACK') {
        magic = message.magic;
        session = { address: relay.address, port: message.port };
        report.setDestination(session.port, session.address);
        stage = 'request';
      } else if (stage === 'request' && fromServer && message.type === 'RLY_REQ_ACK') {
        if (message.result < 0) return new ProtocolError(`the P2P server refused the relay request (result ${message.result})`);
        stage = 'punch';
      } else if (stage === 'punch' && session !== undefined && same(from, session) && message.type === 'RLY_RDY') {
        return didEquals(message.did, ctx.did) ? session : undefined;
      } else {
        return undefined;
      }
      send(); // next stage at once, not on the next tick
      return undefined;
    },
  });
}
