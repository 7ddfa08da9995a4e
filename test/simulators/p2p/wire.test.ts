import { describe, expect, it } from 'vitest';
import { type SimMessage, decodeSim, encodeSim, thumbnailJpeg, thumbnailRecord } from '@camflow/simulators';
import { referenceVectors, thumbnailVector } from '../../fixtures/trailcam/reference-vectors.js';

const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

// The simulators' own codec for what no capture pins, checked against the reference's layouts
// (the same hand-written vectors core's codec is checked against: neither is checked against the other).
describe('simulator PPPP codec for server and relay messages', () => {
  it.each(referenceVectors.map((v) => [v.name, v] as const))('%s encodes and decodes to the reference bytes', (_name, v) => {
    const message = v.message as SimMessage;
    expect(encodeSim(message).toString('hex')).toBe(v.hex);
    expect(decodeSim(bytes(v.hex))).toEqual(message);
  });

  it('ignores malformed and unknown datagrams instead of throwing', () => {
    expect(decodeSim(bytes('f183001b' + '00'.repeat(27)))).toBeUndefined();
    expect(decodeSim(bytes('f1730006' + '00'.repeat(6)))).toBeUndefined();
    expect(decodeSim(bytes('f1690004' + '09000000'))).toBeUndefined();
    expect(decodeSim(bytes('f1550000'))).toBeUndefined();
    expect(decodeSim(bytes('f230'))).toBeUndefined();
    for (let i = 0; i < 2000; i++) {
      const random = Buffer.from(Array.from({ length: 4 + (i % 48) }, () => Math.floor(Math.random() * 256)));
      random[0] = 0xf1;
      random.writeUInt16BE(random.length - 4, 2);
      expect(() => decodeSim(random)).not.toThrow();
    }
  });

  it('writes the thumbnail record in the documented channel-4 layout', () => {
    const photo = { fileType: thumbnailVector.fileType, mediaDirNum: thumbnailVector.dirNum, mediaNum: thumbnailVector.mediaNum };
    expect(thumbnailRecord(photo, bytes(thumbnailVector.jpeg)).toString('hex')).toBe(thumbnailVector.hex);
    const jpeg = thumbnailJpeg(100, 318);
    expect(thumbnailRecord(photo, jpeg).readUInt32LE(12)).toBe(jpeg.length);
  });
});
