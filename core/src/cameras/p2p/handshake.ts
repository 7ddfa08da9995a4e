/**
 * The machinery every connection path shares: one socket of its own, periodic probes, a message
 * handler that decides when the path has reached the device, and a clean exit. On abort the socket
 * is closed and, if the device already answered, a CLOSE goes out first so the camera frees the
 * session slot it may have reserved for us.
 */
import { type Socket, createSocket } from 'node:dgram';
import { ConnectionError, abortErrorFrom } from '../../errors.js';
import type { PpppMessage, SockAddr } from './codec.js';
import { decodeMessage, encodeMessage } from './messages.js';

export type PathMode = 'lan' | 'direct' | 'p2p' | 'relay';

export interface RawDatagram {
  msg: Buffer;
  rinfo: SockAddr;
}

/** A path that reached the device: its socket (now owned by the caller) and the peer to talk to. */
export interface Link {
  mode: PathMode;
  socket: Socket;
  remote: SockAddr;
  /** Stops buffering and returns what arrived between the handshake's end and the session's start. */
  adopt(): RawDatagram[];
}

export async function openSocket(localAddress: string, signal: AbortSignal): Promise<Socket> {
  if (signal.aborted) throw abortErrorFrom(signal);
  const socket = createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new ConnectionError(`cannot bind a UDP socket: ${error.message}`, { cause: error }));
    socket.once('error', onError);
    socket.bind(0, localAddress, () => {
      socket.off('error', onError);
      resolve();
    });
  });
  // A send to a closed loopback port may surface as an async error: the path just keeps probing.
  socket.on('error', () => {});
  return socket;
}

export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve();
    }
  });
}

export function sendTo(socket: Socket, message: PpppMessage | Buffer, to: SockAddr): void {
  const bytes = Buffer.isBuffer(message) ? message : encodeMessage(message);
  try {
    socket.send(bytes, to.port, to.address, () => {});
  } catch {
    // socket closed under us: the attempt is ending
  }
}

type Step = (message: PpppMessage, from: SockAddr) => SockAddr | Error | undefined;

/**
 * Runs a handshake on `socket`: `onMessage` returns the peer when the session is up, an Error to fail
 * the path, or undefined to keep going. `probe` is called at once and every `intervalMs`.
 */
export function runHandshake(
  mode: PathMode,
  socket: Socket,
  signal: AbortSignal,
  options: { intervalMs: number; probe: (round: number) => void; onMessage: Step; peers: () => SockAddr[] },
): Promise<Link> {
  return new Promise<Link>((resolve, reject) => {
    let round = 0;
    const early: RawDatagram[] = [];
    let buffering = false;
    const finish = (outcome: { link?: Link; error?: Error }): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      if (outcome.link !== undefined) return resolve(outcome.link);
      socket.off('message', onDatagram);
      const closes = options.peers().map(
        (peer) => new Promise<void>((done) => socket.send(encodeMessage({ type: 'CLOSE' }), peer.port, peer.address, () => done())),
      );
      void Promise.allSettled(closes)
        .then(() => closeSocket(socket))
        .then(() => reject(outcome.error));
    };
    const onDatagram = (msg: Buffer, rinfo: SockAddr): void => {
      if (buffering) return void early.push({ msg, rinfo: { address: rinfo.address, port: rinfo.port } });
      let message: PpppMessage;
      try {
        message = decodeMessage(msg);
      } catch {
        return; // not PPPP, or not for us
      }
      const outcome = options.onMessage(message, { address: rinfo.address, port: rinfo.port });
      if (outcome instanceof Error) return finish({ error: outcome });
      if (outcome === undefined) return;
      buffering = true;
      const adopt = (): RawDatagram[] => {
        socket.off('message', onDatagram);
        return early.splice(0);
      };
      finish({ link: { mode, socket, remote: outcome, adopt } });
    };
    const onAbort = (): void => finish({ error: abortErrorFrom(signal) });
    const timer = setInterval(() => options.probe(++round), options.intervalMs);
    socket.on('message', onDatagram);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    options.probe(round);
  });
}

/** Releases a link nobody will use: CLOSE to the device, then the socket. */
export async function disposeLink(link: Link): Promise<void> {
  link.adopt();
  await new Promise<void>((resolve) => {
    try {
      link.socket.send(encodeMessage({ type: 'CLOSE' }), link.remote.port, link.remote.address, () => resolve());
    } catch {
      resolve();
    }
  });
  await closeSocket(link.socket);
}
