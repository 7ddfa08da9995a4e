/**
 * ARTEMIS frames carried in PPPP DRW data (pure). Layout and cipher from
 * shared/reference/trailcam-artemis.md, verified against the captures: a 20-byte header (magic
 * `ARTEMIS\0`, or `ARTEMISw` for events; type, seq and payload length as u32 LE), then for commands
 * base64 of AES-128-CBC (key `xs38nul7cqf7m1va`, zero IV) over NUL-padded JSON, then NULs.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { ProtocolError } from '../../errors.js';

export const ARTEMIS_KEY = Buffer.from('xs38nul7cqf7m1va', 'latin1');
const ZERO_IV = Buffer.alloc(16);
const MAGIC = Buffer.from('ARTEMIS', 'latin1');
export const ARTEMIS_HEADER_SIZE = 20;
/** Frames larger than this are refused rather than buffered (no capture comes near it). */
export const MAX_ARTEMIS_FRAME = 16 * 1024 * 1024;

export const ArtemisType = { MEDIA: 0, REQUEST: 2, REPLY: 3, EVENT: 9 } as const;

export interface ArtemisHeader {
  /** True for the `ARTEMISw` magic used on the event channel. */
  event: boolean;
  type: number;
  seq: number;
  length: number;
}

export interface ArtemisFrame extends ArtemisHeader {
  payload: Buffer;
}

export function encodeArtemisFrame(header: Omit<ArtemisHeader, 'length'>, payload: Buffer): Buffer {
  const head = Buffer.alloc(ARTEMIS_HEADER_SIZE);
  MAGIC.copy(head, 0);
  head[7] = header.event ? 0x77 : 0x00;
  head.writeUInt32LE(header.type >>> 0, 8);
  head.writeUInt32LE(header.seq >>> 0, 12);
  head.writeUInt32LE(payload.length, 16);
  return Buffer.concat([head, payload]);
}

/** True when `data` starts with an ARTEMIS magic (either variant). */
export function startsWithArtemisMagic(data: Buffer): boolean {
  if (data.length < 8) return false;
  return data.subarray(0, 7).equals(MAGIC) && (data[7] === 0x00 || data[7] === 0x77);
}

export function decodeArtemisHeader(data: Buffer): ArtemisHeader {
  if (data.length < ARTEMIS_HEADER_SIZE) throw new ProtocolError(`ARTEMIS header truncated (${data.length} bytes)`);
  if (!startsWithArtemisMagic(data)) throw new ProtocolError('ARTEMIS magic missing');
  const length = data.readUInt32LE(16);
  if (length > MAX_ARTEMIS_FRAME) throw new ProtocolError(`ARTEMIS frame too long: ${length} bytes`);
  return { event: data[7] === 0x77, type: data.readUInt32LE(8), seq: data.readUInt32LE(12), length };
}

/** Decodes one complete frame (header + exactly `length` payload bytes). */
export function decodeArtemisFrame(data: Buffer): ArtemisFrame {
  const header = decodeArtemisHeader(data);
  if (data.length !== ARTEMIS_HEADER_SIZE + header.length) {
    throw new ProtocolError(`ARTEMIS length says ${header.length} bytes, frame has ${data.length - ARTEMIS_HEADER_SIZE}`);
  }
  return { ...header, payload: data.subarray(ARTEMIS_HEADER_SIZE) };
}

/** Encrypts a command: JSON + NUL, NUL-padded to the block size, AES-128-CBC, base64, then `trailingNuls` NULs. */
export function encryptCommand(json: unknown, trailingNuls = 1): Buffer {
  const text = Buffer.from(`${JSON.stringify(json)}\0`, 'utf8');
  const padded = Buffer.alloc(Math.ceil(text.length / 16) * 16);
  text.copy(padded);
  const cipher = createCipheriv('aes-128-cbc', ARTEMIS_KEY, ZERO_IV).setAutoPadding(false);
  const encrypted = Buffer.concat([cipher.update(padded), cipher.final()]);
  return Buffer.concat([Buffer.from(encrypted.toString('base64'), 'latin1'), Buffer.alloc(trailingNuls)]);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decrypts a command payload to its JSON object. Anything else: ProtocolError. */
export function decryptCommand(payload: Buffer): Record<string, unknown> {
  const nul = payload.indexOf(0);
  const text = payload.subarray(0, nul === -1 ? payload.length : nul).toString('latin1');
  if (text.length === 0 || text.length % 4 !== 0 || !BASE64.test(text)) {
    throw new ProtocolError('ARTEMIS payload is not base64');
  }
  const encrypted = Buffer.from(text, 'base64');
  if (encrypted.length === 0 || encrypted.length % 16 !== 0) {
    throw new ProtocolError(`ARTEMIS ciphertext is ${encrypted.length} bytes, not a multiple of 16`);
  }
  const decipher = createDecipheriv('aes-128-cbc', ARTEMIS_KEY, ZERO_IV).setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  const end = plain.indexOf(0);
  return parseJsonObject(plain.subarray(0, end === -1 ? plain.length : end), 'ARTEMIS command');
}

/** Event payloads are plain JSON + NUL (neither base64 nor encrypted). */
export function decodeEventPayload(payload: Buffer): Record<string, unknown> {
  const end = payload.indexOf(0);
  return parseJsonObject(payload.subarray(0, end === -1 ? payload.length : end), 'ARTEMIS event');
}

export function encodeEventPayload(json: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(json)}\0`, 'utf8');
}

function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(`${what} is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ProtocolError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

// ---------- live media records (channel 1) ----------

export const MEDIA_HEADER_SIZE = 108;
const MEDIA_PAGE = 0x1000;
const MEDIA_ENCRYPTED = 0x60;

export interface MediaRecord {
  width: number;
  height: number;
  /** The binary header as received (most fields not decoded). */
  header: Buffer;
  /** Media bytes with the encrypted page starts decrypted (H.264 Annex-B for video). */
  data: Buffer;
}

/** Applies AES-128-CBC (zero IV) to the first 96 bytes of every 4 KiB page: the TrailCam media rule. */
export function cryptMediaPages(data: Buffer, encrypt: boolean): Buffer {
  const out = Buffer.from(data);
  for (let page = 0; page + MEDIA_ENCRYPTED <= out.length; page += MEDIA_PAGE) {
    const make = encrypt ? createCipheriv : createDecipheriv;
    const cipher = make('aes-128-cbc', ARTEMIS_KEY, ZERO_IV).setAutoPadding(false);
    const block = Buffer.concat([cipher.update(out.subarray(page, page + MEDIA_ENCRYPTED)), cipher.final()]);
    block.copy(out, page);
  }
  return out;
}

export function decodeMediaRecord(payload: Buffer): MediaRecord {
  if (payload.length < MEDIA_HEADER_SIZE) throw new ProtocolError(`media record shorter than its ${MEDIA_HEADER_SIZE}-byte header`);
  const header = payload.subarray(0, MEDIA_HEADER_SIZE);
  return {
    width: header.readUInt32LE(28),
    height: header.readUInt32LE(32),
    header,
    data: cryptMediaPages(payload.subarray(MEDIA_HEADER_SIZE), false),
  };
}

export function encodeMediaRecord(width: number, height: number, data: Buffer): Buffer {
  const header = Buffer.alloc(MEDIA_HEADER_SIZE);
  header.writeUInt32LE(7, 0);
  header.writeUInt32LE(width, 28);
  header.writeUInt32LE(height, 32);
  return Buffer.concat([header, cryptMediaPages(data, true)]);
}
