/**
 * Reassembles ARTEMIS frames from the in-order DRW data of one channel (pure). A long frame is cut
 * into consecutive DRWs and only the first carries the header, so the channel is a byte stream. A
 * DRW that arrives while no frame is open and does not start with the magic (the camera's "ACK"
 * hello on channel 0) is passed through as a raw chunk.
 */
import { ProtocolError } from '../../errors.js';
import {
  ARTEMIS_HEADER_SIZE,
  type ArtemisFrame,
  decodeArtemisFrame,
  decodeArtemisHeader,
  startsWithArtemisMagic,
} from './artemis-codec.js';

export type StreamItem = { kind: 'frame'; frame: ArtemisFrame } | { kind: 'raw'; data: Buffer };

export class ArtemisStreamParser {
  #chunks: Buffer[] = [];
  #buffered = 0;
  #expected: number | undefined;

  /** Feeds one DRW's data; returns every item completed by it. Throws ProtocolError on garbage. */
  push(data: Buffer): StreamItem[] {
    if (this.#buffered === 0 && !couldStartFrame(data)) return [{ kind: 'raw', data }];
    this.#chunks.push(data);
    this.#buffered += data.length;
    const items: StreamItem[] = [];
    for (;;) {
      if (this.#expected === undefined) {
        if (this.#buffered < ARTEMIS_HEADER_SIZE) break;
        const head = this.#peek(ARTEMIS_HEADER_SIZE);
        try {
          this.#expected = ARTEMIS_HEADER_SIZE + decodeArtemisHeader(head).length;
        } catch (error) {
          this.reset();
          throw error instanceof ProtocolError ? error : new ProtocolError('bad ARTEMIS header', { cause: error });
        }
      }
      if (this.#buffered < this.#expected) break;
      const whole = Buffer.concat(this.#chunks);
      items.push({ kind: 'frame', frame: decodeArtemisFrame(whole.subarray(0, this.#expected)) });
      const rest = whole.subarray(this.#expected);
      this.#chunks = rest.length > 0 ? [rest] : [];
      this.#buffered = rest.length;
      this.#expected = undefined;
    }
    return items;
  }

  reset(): void {
    this.#chunks = [];
    this.#buffered = 0;
    this.#expected = undefined;
  }

  #peek(size: number): Buffer {
    if ((this.#chunks[0]?.length ?? 0) >= size) return (this.#chunks[0] ?? Buffer.alloc(0)).subarray(0, size);
    return Buffer.concat(this.#chunks).subarray(0, size);
  }
}

/** A short first chunk may be a header split across DRWs; accept any prefix of the magic. */
function couldStartFrame(data: Buffer): boolean {
  if (data.length >= 8) return startsWithArtemisMagic(data);
  return Buffer.from('ARTEMIS', 'latin1').subarray(0, data.length).equals(data.subarray(0, Math.min(7, data.length)));
}
