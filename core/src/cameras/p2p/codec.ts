/**
 * CS2 "PPPP" framing and messages (pure). Layouts from the vendor header PPPP_Protocol.h as
 * described in shared/reference/p2p-pppp.md, pinned by the TrailCam captures in
 * test/fixtures/trailcam/packets.jsonl. Every decode error is a ProtocolError: input comes off the
 * network and must never crash the process.
 */
import { ProtocolError } from '../../errors.js';

export const PPPP_MAGIC = 0xf1;
/** PPPP_PROTO_MAX_PACKET_SIZE. */
export const MAX_PACKET_SIZE = 1280;
/** Largest DRW data the TrailCam sends in one datagram. */
export const MAX_DRW_DATA = 1024;

export const MsgType = {
  HELLO: 0x00,
  HELLO_ACK: 0x01,
  DEV_LGN: 0x10,
  DEV_LGN_ACK: 0x11,
  P2P_REQ: 0x20,
  P2P_REQ_ACK: 0x21,
  LAN_SEARCH: 0x30,
  PUNCH_TO: 0x40,
  PUNCH_PKT: 0x41,
  P2P_RDY: 0x42,
  P2P_RDY_ACK: 0x43,
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
  DRW: 0xd0,
  DRW_ACK: 0xd1,
  ALIVE: 0xe0,
  ALIVE_ACK: 0xe1,
  CLOSE: 0xf0,
  REPORT_SESSION_RDY: 0xf9,
} as const;

export type MsgTypeName = keyof typeof MsgType;

export interface Did {
  prefix: string;
  serial: number;
  check: string;
}

export interface SockAddr {
  address: string;
  port: number;
}

/** Every message we build or read, as a discriminated union: a new kind is a compile error where handled. */
export type PpppMessage =
  | { type: 'HELLO' }
  | { type: 'HELLO_ACK'; wan: SockAddr }
  | { type: 'DEV_LGN'; did: Did; local: SockAddr }
  | { type: 'DEV_LGN_ACK'; result: number }
  | { type: 'P2P_REQ'; did: Did; local: SockAddr }
  | { type: 'P2P_REQ_ACK'; result: number }
  | { type: 'LAN_SEARCH' }
  | { type: 'PUNCH_TO'; to: SockAddr }
  | { type: 'PUNCH_PKT'; did: Did }
  | { type: 'P2P_RDY'; did: Did }
  | { type: 'P2P_RDY_ACK'; did: Did; addr: SockAddr }
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
  | { type: 'RLY_RDY'; did: Did }
  | { type: 'DRW'; channel: number; index: number; data: Buffer }
  | { type: 'DRW_ACK'; channel: number; indexes: number[] }
  | { type: 'ALIVE' }
  | { type: 'ALIVE_ACK' }
  | { type: 'CLOSE' }
  | { type: 'REPORT_SESSION_RDY'; data: Buffer };


// ---------- DID and sockaddr ----------

const DID_PATTERN = /^([A-Z]{1,8})-(\d{1,10})-([A-Z]{1,8})$/i;

export function parseDid(text: string): Did {
  const match = DID_PATTERN.exec(text.trim());
  if (match === null) throw new ProtocolError(`not a device id: ${JSON.stringify(text)}`);
  const serial = Number(match[2]);
  if (serial > 0xffff_ffff) throw new ProtocolError(`device id serial out of range: ${text}`);
  return { prefix: (match[1] ?? '').toUpperCase(), serial, check: (match[3] ?? '').toUpperCase() };
}

export function formatDid(did: Did): string {
  return `${did.prefix}-${String(did.serial).padStart(6, '0')}-${did.check}`;
}

export function didEquals(a: Did, b: Did): boolean {
  return a.prefix === b.prefix && a.serial === b.serial && a.check === b.check;
}

function writeCString(buf: Buffer, offset: number, text: string, size: number): void {
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length > size) throw new ProtocolError(`field too long: ${text}`);
  bytes.copy(buf, offset);
}

function readCString(buf: Buffer, offset: number, size: number): string {
  const slice = buf.subarray(offset, offset + size);
  const end = slice.indexOf(0);
  return slice.subarray(0, end === -1 ? size : end).toString('latin1');
}

export function encodeDid(did: Did): Buffer {
  const buf = Buffer.alloc(20);
  writeCString(buf, 0, did.prefix, 8);
  buf.writeUInt32BE(did.serial, 8);
  writeCString(buf, 12, did.check, 8);
  return buf;
}

export function decodeDid(buf: Buffer, offset = 0): Did {
  need(buf, offset + 20, 'DID');
  return { prefix: readCString(buf, offset, 8), serial: buf.readUInt32BE(offset + 8), check: readCString(buf, offset + 12, 8) };
}

/** sockaddr_in as CS2 writes it: family 2 (BE), port LE, IPv4 octets reversed, 8 zeros. */
export function encodeSockAddr(addr: SockAddr): Buffer {
  const octets = addr.address.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new ProtocolError(`not an IPv4 address: ${addr.address}`);
  }
  const buf = Buffer.alloc(16);
  buf.writeUInt16BE(2, 0);
  buf.writeUInt16LE(addr.port, 2);
  for (let i = 0; i < 4; i++) buf[4 + i] = octets[3 - i] ?? 0;
  return buf;
}

export function decodeSockAddr(buf: Buffer, offset = 0): SockAddr {
  need(buf, offset + 16, 'sockaddr');
  const port = buf.readUInt16LE(offset + 2);
  const address = [buf[offset + 7], buf[offset + 6], buf[offset + 5], buf[offset + 4]].join('.');
  return { address, port };
}

function need(buf: Buffer, length: number, what: string): void {
  if (buf.length < length) throw new ProtocolError(`${what} truncated: need ${length} bytes, have ${buf.length}`);
}

// ---------- framing ----------

export function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  if (payload.length > 0xffff) throw new ProtocolError(`PPPP payload too long: ${payload.length}`);
  const header = Buffer.from([PPPP_MAGIC, type, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** Splits a datagram into its type code and payload, checking magic and length. */
export function unframe(datagram: Buffer): { type: number; payload: Buffer } {
  need(datagram, 4, 'PPPP header');
  if (datagram[0] !== PPPP_MAGIC) {
    throw new ProtocolError(`not a plain PPPP datagram (first byte 0x${(datagram[0] ?? 0).toString(16)})`);
  }
  const length = datagram.readUInt16BE(2);
  if (datagram.length !== 4 + length) {
    throw new ProtocolError(`PPPP length field says ${length} payload bytes, datagram has ${datagram.length - 4}`);
  }
  return { type: datagram[1] ?? 0, payload: datagram.subarray(4) };
}
