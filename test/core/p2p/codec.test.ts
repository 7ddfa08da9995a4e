import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ArtemisStreamParser,
  type PpppMessage,
  ProtocolError,
  decodeArtemisFrame,
  decodeEventPayload,
  decodeThumbnail,
  decodeMediaRecord,
  decodeMessage,
  decodeSockAddr,
  decryptCommand,
  encodeArtemisFrame,
  encodeDrw,
  encodeDrwAck,
  encodeMessage,
  encodeSockAddr,
  encodeThumbnail,
  encryptCommand,
  formatDid,
  parseDid,
  startsWithArtemisMagic,
} from '@camflow/core';
import { referenceVectors, thumbnailVector } from '../../fixtures/trailcam/reference-vectors.js';

interface FixturePacket {
  dir: 'c2d' | 'd2c';
  hex: string;
  kind: string;
  json?: Record<string, unknown>;
}

const packets: FixturePacket[] = readFileSync(new URL('../../fixtures/trailcam/packets.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as FixturePacket);
const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/\s+/g, ''), 'hex');

describe('PPPP codec on the captured TrailCam packets', () => {
  it('has the 38 fixture packets', () => {
    expect(packets).toHaveLength(38);
  });

  it.each(packets.map((p, i) => [i, p.kind, p] as const))('packet %i (%s) parses and re-encodes byte for byte', (_i, _kind, p) => {
    const datagram = bytes(p.hex);
    const message = decodeMessage(datagram);
    expect(encodeMessage(message).toString('hex')).toBe(p.hex);
  });

  it('reads the DID LBCS-000000-CCCJJ and the camera sockaddr 192.168.43.1:40611 from 0x43', () => {
    const rdyAck = packets.find((p) => p.kind === 'p2p_rdy_ack');
    const message = decodeMessage(bytes(rdyAck!.hex));
    expect(message.type).toBe('P2P_RDY_ACK');
    if (message.type !== 'P2P_RDY_ACK') return;
    expect(formatDid(message.did)).toBe('LBCS-000000-CCCJJ');
    expect(message.addr).toEqual({ address: '192.168.43.1', port: 40611 });
  });

  it('decodes DRW_ACKs with repeated indexes, as the camera sends them', () => {
    const ack = decodeMessage(bytes('f1d10014d100000800060006000700060006000600060006'));
    expect(ack).toEqual({ type: 'DRW_ACK', channel: 0, indexes: [6, 6, 7, 6, 6, 6, 6, 6] });
  });

  it('matches the reference byte vectors', () => {
    const did = parseDid('BATD-156362-WONJM');
    expect(encodeMessage({ type: 'PUNCH_PKT', did }).toString('hex')).toBe('f14100144241544400000000000262ca574f4e4a4d000000');
    expect(encodeSockAddr({ address: '192.0.2.11', port: 32100 }).toString('hex')).toBe('0002647d0b0200c00000000000000000');
    expect(decodeSockAddr(bytes('0002dbcf07643 3c60000000000000000'))).toEqual({ address: '198.51.100.7', port: 53211 });
    expect(encodeMessage({ type: 'P2P_REQ', did, local: { address: '192.168.1.20', port: 40000 } }).subarray(24).toString('hex')).toBe(
      '0002409c1401a8c00000000000000000',
    );
    expect(encodeDrw(0, 0, bytes('11223344')).toString('hex')).toBe('f1d00008d100000011223344');
    expect(encodeDrwAck(1, [5]).toString('hex')).toBe('f1d10006d101000100' + '05');
    expect(decodeMessage(bytes('f1d10006d2010001 0005'))).toEqual({ type: 'DRW_ACK', channel: 1, indexes: [5] });
  });

  it('rejects what is not plain PPPP with ProtocolError', () => {
    expect(() => decodeMessage(bytes('f2300000'))).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes('f13000'))).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes('f1300001'))).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes('f1550000'))).toThrow(/unknown PPPP message type 0x55/);
    expect(() => decodeMessage(bytes('f1d10008d100000500010002'))).toThrow(ProtocolError);
  });
});

describe('PPPP codec on the reference layouts of server and relay messages (no capture holds them)', () => {
  it.each(referenceVectors.map((v) => [v.name, v] as const))('%s encodes and decodes to the reference bytes', (_name, v) => {
    const message = v.message as PpppMessage;
    expect(encodeMessage(message).toString('hex')).toBe(v.hex);
    expect(decodeMessage(bytes(v.hex))).toEqual(message);
  });

  it('refuses relay messages of the wrong length', () => {
    expect(() => decodeMessage(bytes('f183001b' + '00'.repeat(27)))).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes('f1820010' + '00'.repeat(16)))).toThrow(ProtocolError);
    expect(() => decodeMessage(bytes('f1690004' + '09000000'))).toThrow(ProtocolError);
  });

  it('decodes the channel-4 thumbnail record (camflow layout) and encodes it back', () => {
    const thumbnail = decodeThumbnail(bytes(thumbnailVector.hex));
    expect(thumbnail).toEqual({ fileType: 0, dirNum: 100, mediaNum: 318, jpeg: bytes(thumbnailVector.jpeg) });
    expect(encodeThumbnail(thumbnail).toString('hex')).toBe(thumbnailVector.hex);
  });
});

describe('ARTEMIS codec on the captured packets', () => {
  const withJson = packets.filter((p) => p.json !== undefined);

  it.each(withJson.map((p) => [p.kind, p] as const))('%s decrypts to the captured JSON', (_kind, p) => {
    const message = decodeMessage(bytes(p.hex));
    if (message.type !== 'DRW') throw new Error('expected a DRW');
    expect(startsWithArtemisMagic(message.data)).toBe(true);
    const frame = decodeArtemisFrame(message.data);
    const json = frame.event ? decodeEventPayload(frame.payload) : decryptCommand(frame.payload);
    expect(json).toEqual(p.json);
  });

  it('covers every ARTEMIS kind in the fixtures', () => {
    const kinds = new Set(withJson.map((p) => p.kind));
    for (const kind of ['artemis_login_req', 'artemis_login_resp', 'artemis_heartbeat', 'artemis_event', 'artemis_media_list_req']) {
      expect(kinds).toContain(kind);
    }
  });

  it('encrypts with AES-128-CBC, zero IV, NUL padding (the reference vectors)', () => {
    expect(encryptCommand({ cmdId: 525 }, 0).toString('latin1')).toBe('VYoVRA3OqW+wyt+iBfgy2w==');
    expect(decryptCommand(Buffer.from('MzlB36X/IVo8ZzI5rG9j1w==\0'))).toEqual({ cmdId: 525 });
    const heartbeat = packets.find((p) => p.kind === 'artemis_heartbeat')!;
    const frame = encodeArtemisFrame({ event: false, type: 2, seq: 0x00010001 }, Buffer.from('MzlB36X/IVo8ZzI5rG9j1w==\0', 'latin1'));
    expect(encodeDrw(0, 2, frame).toString('hex')).toBe(heartbeat.hex);
  });

  it('re-encodes the login request: same header and ciphertext up to the app\'s stale last block', () => {
    // The app leaves stale buffer bytes after the NUL in the last block; we NUL-pad (reference).
    const login = packets.find((p) => p.kind === 'artemis_login_req')!;
    const ours = encodeDrw(0, 0, encodeArtemisFrame({ event: false, type: 2, seq: 1 }, encryptCommand(login.json, 1)));
    const theirs = bytes(login.hex);
    expect(ours.subarray(0, 28)).toEqual(theirs.subarray(0, 28));
    const cipher = (b: Buffer): Buffer => Buffer.from(b.subarray(28, -1).toString('latin1'), 'base64');
    expect(cipher(ours).subarray(0, -16)).toEqual(cipher(theirs).subarray(0, -16));
    expect(decryptCommand(ours.subarray(28))).toEqual(login.json);
  });

  it('decrypts the live record: 1280x720 and an H.264 Annex-B start', () => {
    const record = packets.find((p) => p.kind === 'av_record')!;
    const message = decodeMessage(bytes(record.hex));
    if (message.type !== 'DRW') throw new Error('expected a DRW');
    expect(message.channel).toBe(1);
    const frame = decodeArtemisFrame(message.data);
    expect(frame).toMatchObject({ type: 0, seq: 3, length: 466 });
    const media = decodeMediaRecord(frame.payload);
    expect(media).toMatchObject({ width: 1280, height: 720 });
    expect(media.data.subarray(0, 5).toString('hex')).toBe('0000000141');
  });

  it('reassembles a frame cut across DRWs and passes the "ACK" hello through', () => {
    const parser = new ArtemisStreamParser();
    expect(parser.push(Buffer.from('ACK'))).toEqual([{ kind: 'raw', data: Buffer.from('ACK') }]);
    const frame = encodeArtemisFrame({ event: false, type: 3, seq: 9 }, encryptCommand({ cmdId: 512, long: 'x'.repeat(3000) }, 21));
    const items = [];
    for (let offset = 0; offset < frame.length; offset += 1024) items.push(...parser.push(frame.subarray(offset, offset + 1024)));
    expect(items).toHaveLength(1);
    const item = items[0]!;
    if (item.kind !== 'frame') throw new Error('expected a frame');
    expect(item.frame.seq).toBe(9);
    expect(decryptCommand(item.frame.payload)).toMatchObject({ cmdId: 512 });
  });
});
