import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ArtemisStreamParser,
  ProtocolError,
  decodeArtemisFrame,
  decodeEventPayload,
  decodeMediaRecord,
  decodeMessage,
  decodeThumbnail,
  decryptCommand,
} from '@camflow/core';

const fixtures = readFileSync(new URL('../../fixtures/trailcam/packets.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => Buffer.from((JSON.parse(line) as { hex: string }).hex, 'hex'));

const parsers: Record<string, (input: Buffer) => unknown> = {
  decodeMessage,
  decodeArtemisFrame,
  decryptCommand,
  decodeEventPayload,
  decodeMediaRecord,
  decodeThumbnail,
  streamParser: (input) => new ArtemisStreamParser().push(input),
};

/** Random bytes, and fixture packets with flipped bytes, truncations and forged length fields. */
function* inputs(count: number): Generator<Buffer> {
  for (let i = 0; i < count; i++) {
    yield randomBytes(Math.floor(Math.random() * 1100));
    const base = Buffer.from(fixtures[i % fixtures.length]!);
    const mutated = Buffer.from(base);
    for (let flips = 1 + (i % 4); flips > 0; flips--) mutated[Math.floor(Math.random() * mutated.length)] = Math.floor(Math.random() * 256);
    yield mutated;
    yield base.subarray(0, Math.floor(Math.random() * base.length));
    const forged = Buffer.concat([Buffer.from('ARTEMIS\0', 'latin1'), randomBytes(12 + (i % 40))]);
    yield forged;
  }
}

describe('parsers never crash on hostile input', () => {
  it.each(Object.keys(parsers))('%s throws only ProtocolError', (name) => {
    const parse = parsers[name]!;
    let rejected = 0;
    for (const input of inputs(1500)) {
      try {
        parse(input);
      } catch (error) {
        rejected++;
        if (!(error instanceof ProtocolError)) throw new Error(`${name} threw ${String(error)} on ${input.toString("hex")}`, { cause: error });
      }
    }
    expect(rejected).toBeGreaterThan(0);
  });

  it('a stream parser keeps working after garbage', () => {
    const parser = new ArtemisStreamParser();
    expect(() => parser.push(Buffer.concat([Buffer.from('ARTEMIS\0', 'latin1'), Buffer.alloc(8), Buffer.from([0xff, 0xff, 0xff, 0xff])]))).toThrow(ProtocolError);
    expect(parser.push(Buffer.from('ACK'))).toHaveLength(1);
  });
});
