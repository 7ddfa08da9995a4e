/**
 * Encode/decode of every PPPP message camflow builds or reads (pure). Payload layouts: see codec.ts
 * and shared/reference/p2p-pppp.md. DRW_ACK accepts the `d1` marker TrailCams use and the `d2` some
 * other vendors write.
 */
import { ProtocolError } from '../../errors.js';
import {
  MAX_DRW_DATA,
  MsgType,
  type PpppMessage,
  decodeDid,
  decodeSockAddr,
  encodeDid,
  encodeSockAddr,
  frame,
  unframe,
} from './codec.js';

const DRW_MARKER = 0xd1;

export function encodeMessage(message: PpppMessage): Buffer {
  const code = MsgType[message.type];
  switch (message.type) {
    case 'HELLO':
    case 'LAN_SEARCH':
    case 'RLY_HELLO':
    case 'RLY_HELLO_ACK':
    case 'RLY_PORT':
    case 'ALIVE':
    case 'ALIVE_ACK':
    case 'CLOSE':
      return frame(code);
    case 'HELLO_ACK':
      return frame(code, encodeSockAddr(message.wan));
    case 'DEV_LGN':
    case 'P2P_REQ':
      return frame(code, Buffer.concat([encodeDid(message.did), encodeSockAddr(message.local)]));
    case 'DEV_LGN_ACK':
    case 'P2P_REQ_ACK':
    case 'RLY_REQ_ACK':
      return frame(code, resultBytes(message.result));
    case 'PUNCH_TO':
      return frame(code, encodeSockAddr(message.to));
    case 'PUNCH_PKT':
    case 'P2P_RDY':
    case 'LIST_REQ1':
    case 'LIST_REQ':
    case 'RLY_RDY':
      return frame(code, encodeDid(message.did));
    case 'P2P_RDY_ACK':
      return frame(code, Buffer.concat([encodeDid(message.did), encodeSockAddr(message.addr), Buffer.alloc(8)]));
    case 'LIST_REQ_ACK':
      return frame(code, encodeRelayList(message.relays));
    case 'RLY_PORT_ACK': {
      const payload = Buffer.alloc(8);
      payload.writeUInt32BE(message.magic >>> 0, 0);
      payload.writeUInt16BE(message.port, 4);
      return frame(code, payload);
    }
    case 'RLY_REQ':
      return frame(code, Buffer.concat([encodeDid(message.did), encodeSockAddr(message.relay), u32(message.magic)]));
    case 'RLY_TO':
      return frame(code, Buffer.concat([encodeSockAddr(message.relay), u32(message.magic)]));
    case 'RLY_PKT':
      return frame(code, Buffer.concat([u32(message.magic), encodeDid(message.did), Buffer.from([message.fromDevice ? 1 : 0, 0, 0, 0])]));
    case 'DRW':
      return encodeDrw(message.channel, message.index, message.data);
    case 'DRW_ACK':
      return encodeDrwAck(message.channel, message.indexes);
    case 'REPORT_SESSION_RDY':
      return frame(code, message.data);
  }
}

export function encodeDrw(channel: number, index: number, data: Buffer): Buffer {
  if (data.length > MAX_DRW_DATA) throw new ProtocolError(`DRW data too long: ${data.length} > ${MAX_DRW_DATA}`);
  const head = Buffer.from([DRW_MARKER, channel & 0xff, (index >> 8) & 0xff, index & 0xff]);
  return frame(MsgType.DRW, Buffer.concat([head, data]));
}

export function encodeDrwAck(channel: number, indexes: readonly number[]): Buffer {
  const payload = Buffer.alloc(4 + 2 * indexes.length);
  payload[0] = DRW_MARKER;
  payload[1] = channel & 0xff;
  payload.writeUInt16BE(indexes.length, 2);
  indexes.forEach((index, i) => payload.writeUInt16BE(index & 0xffff, 4 + 2 * i));
  return frame(MsgType.DRW_ACK, payload);
}

function u32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32BE(value >>> 0, 0);
  return buf;
}

function resultBytes(result: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt8(result, 0);
  return buf;
}

function encodeRelayList(relays: readonly { address: string; port: number }[]): Buffer {
  if (relays.length > 8) throw new ProtocolError('a LIST_REQ_ACK holds at most 8 relays');
  return Buffer.concat([Buffer.from([relays.length, 0, 0, 0]), ...relays.map(encodeSockAddr)]);
}

function exact(payload: Buffer, length: number, what: string): void {
  if (payload.length !== length) throw new ProtocolError(`${what}: expected ${length} payload bytes, got ${payload.length}`);
}

function atLeast(payload: Buffer, length: number, what: string): void {
  if (payload.length < length) throw new ProtocolError(`${what}: expected at least ${length} payload bytes, got ${payload.length}`);
}

/** Decodes one datagram. Unknown types and malformed payloads throw ProtocolError. */
export function decodeMessage(datagram: Buffer): PpppMessage {
  const { type, payload } = unframe(datagram);
  switch (type) {
    case MsgType.HELLO:
      return empty(payload, 'HELLO', { type: 'HELLO' });
    case MsgType.LAN_SEARCH:
      return empty(payload, 'LAN_SEARCH', { type: 'LAN_SEARCH' });
    case MsgType.RLY_HELLO:
      return empty(payload, 'RLY_HELLO', { type: 'RLY_HELLO' });
    case MsgType.RLY_HELLO_ACK:
      return empty(payload, 'RLY_HELLO_ACK', { type: 'RLY_HELLO_ACK' });
    case MsgType.RLY_PORT:
      return empty(payload, 'RLY_PORT', { type: 'RLY_PORT' });
    case MsgType.ALIVE:
      return empty(payload, 'ALIVE', { type: 'ALIVE' });
    case MsgType.ALIVE_ACK:
      return empty(payload, 'ALIVE_ACK', { type: 'ALIVE_ACK' });
    case MsgType.CLOSE:
      return empty(payload, 'CLOSE', { type: 'CLOSE' });
    case MsgType.HELLO_ACK:
      exact(payload, 16, 'HELLO_ACK');
      return { type: 'HELLO_ACK', wan: decodeSockAddr(payload) };
    case MsgType.DEV_LGN:
    case MsgType.P2P_REQ:
      exact(payload, 36, 'P2P_REQ');
      return { type: type === MsgType.DEV_LGN ? 'DEV_LGN' : 'P2P_REQ', did: decodeDid(payload), local: decodeSockAddr(payload, 20) };
    case MsgType.DEV_LGN_ACK:
    case MsgType.P2P_REQ_ACK:
    case MsgType.RLY_REQ_ACK:
      return decodeResult(type, payload);
    case MsgType.PUNCH_TO:
      exact(payload, 16, 'PUNCH_TO');
      return { type: 'PUNCH_TO', to: decodeSockAddr(payload) };
    default:
      return decodeDidMessages(type, payload);
  }
}

function empty<M extends PpppMessage>(payload: Buffer, what: string, message: M): M {
  exact(payload, 0, what);
  return message;
}

function decodeResult(type: number, payload: Buffer): PpppMessage {
  atLeast(payload, 1, 'result');
  const result = payload.readInt8(0);
  if (type === MsgType.DEV_LGN_ACK) return { type: 'DEV_LGN_ACK', result };
  return type === MsgType.P2P_REQ_ACK ? { type: 'P2P_REQ_ACK', result } : { type: 'RLY_REQ_ACK', result };
}

function decodeDidMessages(type: number, payload: Buffer): PpppMessage {
  switch (type) {
    case MsgType.PUNCH_PKT:
      exact(payload, 20, 'PUNCH_PKT');
      return { type: 'PUNCH_PKT', did: decodeDid(payload) };
    case MsgType.P2P_RDY:
      exact(payload, 20, 'P2P_RDY');
      return { type: 'P2P_RDY', did: decodeDid(payload) };
    case MsgType.RLY_RDY:
      exact(payload, 20, 'RLY_RDY');
      return { type: 'RLY_RDY', did: decodeDid(payload) };
    case MsgType.LIST_REQ1:
    case MsgType.LIST_REQ:
      exact(payload, 20, 'LIST_REQ');
      return { type: type === MsgType.LIST_REQ ? 'LIST_REQ' : 'LIST_REQ1', did: decodeDid(payload) };
    case MsgType.P2P_RDY_ACK:
      // DID + sockaddr + 8 reserved bytes in the captures; accept the bare 36 too.
      atLeast(payload, 36, 'P2P_RDY_ACK');
      return { type: 'P2P_RDY_ACK', did: decodeDid(payload), addr: decodeSockAddr(payload, 20) };
    default:
      return decodeRelayAndData(type, payload);
  }
}

function decodeRelayAndData(type: number, payload: Buffer): PpppMessage {
  switch (type) {
    case MsgType.LIST_REQ_ACK: {
      atLeast(payload, 4, 'LIST_REQ_ACK');
      const count = payload[0] ?? 0;
      if (count > 8) throw new ProtocolError(`LIST_REQ_ACK lists ${count} relays (at most 8)`);
      atLeast(payload, 4 + 16 * count, 'LIST_REQ_ACK');
      return { type: 'LIST_REQ_ACK', relays: Array.from({ length: count }, (_, i) => decodeSockAddr(payload, 4 + 16 * i)) };
    }
    case MsgType.RLY_PORT_ACK:
      atLeast(payload, 6, 'RLY_PORT_ACK');
      return { type: 'RLY_PORT_ACK', magic: payload.readUInt32BE(0), port: payload.readUInt16BE(4) };
    case MsgType.RLY_REQ:
      exact(payload, 40, 'RLY_REQ');
      return { type: 'RLY_REQ', did: decodeDid(payload), relay: decodeSockAddr(payload, 20), magic: payload.readUInt32BE(36) };
    case MsgType.RLY_TO:
      exact(payload, 20, 'RLY_TO');
      return { type: 'RLY_TO', relay: decodeSockAddr(payload), magic: payload.readUInt32BE(16) };
    case MsgType.RLY_PKT:
      exact(payload, 28, 'RLY_PKT');
      return { type: 'RLY_PKT', magic: payload.readUInt32BE(0), did: decodeDid(payload, 4), fromDevice: payload[24] === 1 };
    case MsgType.DRW:
      atLeast(payload, 4, 'DRW');
      checkMarker(payload, 'DRW');
      if (payload.length - 4 > MAX_DRW_DATA) throw new ProtocolError(`DRW data too long: ${payload.length - 4}`);
      return { type: 'DRW', channel: payload[1] ?? 0, index: payload.readUInt16BE(2), data: payload.subarray(4) };
    case MsgType.DRW_ACK:
      return decodeDrwAck(payload);
    case MsgType.REPORT_SESSION_RDY:
      return { type: 'REPORT_SESSION_RDY', data: payload };
    default:
      throw new ProtocolError(`unknown PPPP message type 0x${type.toString(16).padStart(2, '0')}`);
  }
}

function checkMarker(payload: Buffer, what: string): void {
  const marker = payload[0];
  if (marker !== 0xd1 && marker !== 0xd2) throw new ProtocolError(`${what} marker 0x${(marker ?? 0).toString(16)} (expected d1)`);
}

function decodeDrwAck(payload: Buffer): PpppMessage {
  atLeast(payload, 4, 'DRW_ACK');
  checkMarker(payload, 'DRW_ACK');
  const count = payload.readUInt16BE(2);
  exact(payload, 4 + 2 * count, 'DRW_ACK');
  const indexes = Array.from({ length: count }, (_, i) => payload.readUInt16BE(4 + 2 * i));
  return { type: 'DRW_ACK', channel: payload[1] ?? 0, indexes };
}
