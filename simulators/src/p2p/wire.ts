/**
 * The simulators' own PPPP message codec. DESIGN.md: a simulator may reuse core's codecs only where
 * real-device captures pin the bytes. The TrailCam captures (shared/fixtures/trailcam) pin the
 * 4-byte header, the DID (PUNCH_PKT, P2P_RDY), the sockaddr (P2P_RDY_ACK) and the messages LAN_SEARCH,
 * HELLO, PUNCH_PKT, P2P_RDY, P2P_RDY_ACK, DRW, DRW_ACK, ALIVE, ALIVE_ACK and CLOSE: those go through
 * core. Every directory-server and relay message (never seen on the camera's AP) is written here,
 * from the layouts in shared/reference/p2p-pppp.md (vendor header PPPP_Protocol.h), so a layout bug
 * in core's client cannot hide behind the same bug in the simulator.
 *
 * Byte order: the reference gives none for the relay's MagicWord (u32) and RLY_PORT_ACK's Port (u16).
 * Every other PPPP integer it does give (header length, DID serial, DRW index and count) is
 * big-endian, network order; only the fields inside sockaddr_in (a copied OS struct) are little-endian.
 * So these are written big-endian as well.
 */
import {
  type Did,
  type PpppMessage,
  type SockAddr,
  decodeDid,
  decodeMessage,
  decodeSockAddr,
  encodeDid,
  encodeMessage,
  encodeSockAddr,
  ppppFrame,
  ppppUnframe,
} from '@camflow/core';

/** Messages whose bytes the captures pin: encoded and decoded by core. */
const PINNED = new Set<number>([0x00, 0x30, 0x41, 0x42, 0x43, 0xd0, 0xd1, 0xe0, 0xe1, 0xf0]);
type PinnedType = 'HELLO' | 'LAN_SEARCH' | 'PUNCH_PKT' | 'P2P_RDY' | 'P2P_RDY_ACK' | 'DRW' | 'DRW_ACK' | 'ALIVE' | 'ALIVE_ACK' | 'CLOSE';
export type PinnedMessage = Extract<PpppMessage, { type: PinnedType }>;

/** Server and relay messages, from the reference's payload table. */
export type ServerMessage =
  | { type: 'HELLO_ACK'; wan: SockAddr }
  | { type: 'DEV_LGN'; did: Did; local: SockAddr }
  | { type: 'DEV_LGN_ACK'; result: number }
  | { type: 'P2P_REQ'; did: Did; local: SockAddr }
  | { type: 'P2P_REQ_ACK'; result: number }
  | { type: 'PUNCH_TO'; to: SockAddr }
  | { type: 'LIST_REQ1'; did: Did }
  | { type: 'LIST_REQ'; did: Did }
  | { type: 'LIST_REQ_ACK'; relays: SockAddr[] }
  | { type: 'RLY_HELLO' }
  | { type: 'RLY_HELLO_ACK' }
  | { type: 'RLY_PORT' }
  | { type: 'RLY_PORT_ACK'; magic: number; port: number }
  | { type: 'RLY_REQ'; did: Did; relay: SockAddr; magic: number }
  | { type: 'RLY_REQ_ACK'; result: number }
  | { type: 'RLY_TO'; relay: SockAddr; magic: number }
  | { type: 'RLY_PKT'; magic: number; did: Did; fromDevice: boolean }
  | { type: 'RLY_RDY'; did: Did };

export type SimMessage = PinnedMessage | ServerMessage;

const CODES: Record<ServerMessage['type'], number> = {
  HELLO_ACK: 0x01,
  DEV_LGN: 0x10,
  DEV_LGN_ACK: 0x11,
  P2P_REQ: 0x20,
  P2P_REQ_ACK: 0x21,
  PUNCH_TO: 0x40,
  LIST_REQ1: 0x67,
  LIST_REQ: 0x68,
  LIST_REQ_ACK: 0x69,
  RLY_HELLO: 0x70,
  RLY_HELLO_ACK: 0x71,
  RLY_PORT: 0x72,
  RLY_PORT_ACK: 0x73,
  RLY_REQ: 0x80,
  RLY_REQ_ACK: 0x81,
  RLY_TO: 0x82,
  RLY_PKT: 0x83,
  RLY_RDY: 0x84,
};
const TYPES = new Map(Object.entries(CODES).map(([name, code]) => [code, name as ServerMessage['type']]));

export function encodeSim(message: SimMessage): Buffer {
  if (!(message.type in CODES)) return encodeMessage(message as PinnedMessage);
  const m = message as ServerMessage;
  return ppppFrame(CODES[m.type], serverPayload(m));
}

function serverPayload(m: ServerMessage): Buffer {
  switch (m.type) {
    case 'RLY_HELLO':
    case 'RLY_HELLO_ACK':
    case 'RLY_PORT':
      return Buffer.alloc(0);
    case 'HELLO_ACK':
      return encodeSockAddr(m.wan);
    case 'PUNCH_TO':
      return encodeSockAddr(m.to);
    case 'DEV_LGN':
    case 'P2P_REQ':
      return Buffer.concat([encodeDid(m.did), encodeSockAddr(m.local)]);
    case 'DEV_LGN_ACK':
    case 'P2P_REQ_ACK':
    case 'RLY_REQ_ACK': {
      // Result int8 + 3 reserved bytes.
      const out = Buffer.alloc(4);
      out.writeInt8(m.result, 0);
      return out;
    }
    case 'LIST_REQ1':
    case 'LIST_REQ':
    case 'RLY_RDY':
      return encodeDid(m.did);
    case 'LIST_REQ_ACK':
      // ListNumber u8 + 3 reserved + N sockaddr (at most 8).
      return Buffer.concat([Buffer.from([m.relays.length, 0, 0, 0]), ...m.relays.slice(0, 8).map(encodeSockAddr)]);
    case 'RLY_PORT_ACK': {
      // MagicWord u32 + Port u16 + 2 reserved.
      const out = Buffer.alloc(8);
      out.writeUInt32BE(m.magic >>> 0, 0);
      out.writeUInt16BE(m.port, 4);
      return out;
    }
    case 'RLY_REQ':
      return Buffer.concat([encodeDid(m.did), encodeSockAddr(m.relay), be32(m.magic)]);
    case 'RLY_TO':
      return Buffer.concat([encodeSockAddr(m.relay), be32(m.magic)]);
    case 'RLY_PKT':
      // MagicWord + DID + CorD u8 (0 client, 1 device) + 3 reserved.
      return Buffer.concat([be32(m.magic), encodeDid(m.did), Buffer.from([m.fromDevice ? 1 : 0, 0, 0, 0])]);
  }
}

function be32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  return out;
}

/** Decodes one datagram; undefined for anything malformed or unknown (a device ignores it). */
export function decodeSim(datagram: Buffer): SimMessage | undefined {
  try {
    const { type, payload } = ppppUnframe(datagram);
    if (PINNED.has(type)) return decodeMessage(datagram) as PinnedMessage;
    const name = TYPES.get(type);
    return name === undefined ? undefined : decodeServerPayload(name, payload);
  } catch {
    return undefined;
  }
}

function decodeServerPayload(type: ServerMessage['type'], p: Buffer): ServerMessage | undefined {
  const size = (n: number): boolean => p.length === n;
  switch (type) {
    case 'RLY_HELLO':
    case 'RLY_HELLO_ACK':
    case 'RLY_PORT':
      return size(0) ? { type } : undefined;
    case 'HELLO_ACK':
      return size(16) ? { type, wan: decodeSockAddr(p) } : undefined;
    case 'PUNCH_TO':
      return size(16) ? { type, to: decodeSockAddr(p) } : undefined;
    case 'DEV_LGN':
    case 'P2P_REQ':
      return size(36) ? { type, did: decodeDid(p), local: decodeSockAddr(p, 20) } : undefined;
    case 'DEV_LGN_ACK':
    case 'P2P_REQ_ACK':
    case 'RLY_REQ_ACK':
      return size(4) ? { type, result: p.readInt8(0) } : undefined;
    case 'LIST_REQ1':
    case 'LIST_REQ':
    case 'RLY_RDY':
      return size(20) ? { type, did: decodeDid(p) } : undefined;
    case 'LIST_REQ_ACK': {
      const count = p[0] ?? 0;
      if (p.length < 4 || count > 8 || p.length < 4 + 16 * count) return undefined;
      return { type, relays: Array.from({ length: count }, (_, i) => decodeSockAddr(p, 4 + 16 * i)) };
    }
    case 'RLY_PORT_ACK':
      return size(8) ? { type, magic: p.readUInt32BE(0), port: p.readUInt16BE(4) } : undefined;
    case 'RLY_REQ':
      return size(40) ? { type, did: decodeDid(p), relay: decodeSockAddr(p, 20), magic: p.readUInt32BE(36) } : undefined;
    case 'RLY_TO':
      return size(20) ? { type, relay: decodeSockAddr(p), magic: p.readUInt32BE(16) } : undefined;
    case 'RLY_PKT':
      return size(28) ? { type, magic: p.readUInt32BE(0), did: decodeDid(p, 4), fromDevice: p[24] === 1 } : undefined;
  }
}
