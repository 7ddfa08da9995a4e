/**
 * Incremental reader for the alert stream's multipart/mixed body. Parts are read by Content-Length
 * (never by scanning binary JPEG data for the boundary); several parts may share a chunk and one part
 * may span many. Any `--...` line opens a part, because older NVRs announce one boundary in the header
 * and then write the literal `--boundary`.
 */
import { ProtocolError } from '../../errors.js';

export interface MultipartPart {
  /** Header names lower-case. */
  headers: Record<string, string>;
  body: Buffer;
}

/** An event part is a few kB of XML; a picture part a few hundred kB. Nothing real comes near this. */
export const MAX_PART_BYTES = 8 * 1024 * 1024;

export class MultipartReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks received since the last parse, not yet joined to `buffer` (joined once, when worth it). */
  private pending: Buffer[] = [];
  private pendingLength = 0;
  /** Parsing cannot progress before the buffer holds this many bytes (a part of known length). */
  private needLength = 0;

  /** Feeds a chunk; returns every part completed by it. */
  push(chunk: Buffer): MultipartPart[] {
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    const total = this.buffer.length + this.pendingLength;
    if (total > MAX_PART_BYTES) throw new ProtocolError('alert stream: a part grew past 8 MB without ending; the stream was dropped');
    // A picture part arrives in many chunks: joining and re-parsing on each would copy it over and
    // over. Wait for its announced length; without one, only a chunk that can end something (a line
    // break or a boundary dash, or a split right after one) is worth a parse.
    if (total < this.needLength) return [];
    const tail = this.buffer.length > 0 ? this.buffer[this.buffer.length - 1] : undefined;
    if (this.needLength === 0 && !this.mayEndSomething(chunk, tail)) return [];
    this.buffer = Buffer.concat([this.buffer, ...this.pending], total);
    this.pending = [];
    this.pendingLength = 0;
    this.needLength = 0;
    const parts: MultipartPart[] = [];
    for (;;) {
      const part = this.next();
      if (part === undefined) break;
      parts.push(part);
    }
    return parts;
  }

  private mayEndSomething(chunk: Buffer, before: number | undefined): boolean {
    return chunk.includes(0x0a) || chunk.includes(0x2d) || before === 0x0a || before === 0x2d || before === 0x0d;
  }

  private next(): MultipartPart | undefined {
    const start = this.buffer.indexOf('--');
    if (start === -1) {
      // Keep a trailing '-' that may start the next boundary.
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - 1));
      return undefined;
    }
    const lineEnd = this.buffer.indexOf('\n', start);
    if (lineEnd === -1) return undefined;
    const boundaryLine = this.buffer.subarray(start, lineEnd).toString('latin1').trim();
    if (/^--\S*--$/.test(boundaryLine)) {
      // Closing delimiter: the stream is over; drop it.
      this.buffer = this.buffer.subarray(lineEnd + 1);
      return undefined;
    }
    const headerEnd = findHeaderEnd(this.buffer, lineEnd + 1);
    if (headerEnd === undefined) return undefined;
    const headers = parseHeaders(this.buffer.subarray(lineEnd + 1, headerEnd.start).toString('latin1'));
    const bodyStart = headerEnd.end;
    const length = headers['content-length'];
    let bodyEnd: number;
    if (length !== undefined && /^\d+$/.test(length)) {
      // Refused as announced, before its bytes pile up.
      if (Number(length) > MAX_PART_BYTES) throw new ProtocolError(`alert stream: a part announces ${length} bytes, more than the 8 MB a camera ever sends`);
      bodyEnd = bodyStart + Number(length);
      if (this.buffer.length < bodyEnd) {
        this.needLength = bodyEnd;
        return undefined;
      }
    } else {
      const nextBoundary = this.buffer.indexOf('\r\n--', bodyStart);
      if (nextBoundary === -1) return undefined;
      bodyEnd = nextBoundary;
    }
    const body = Buffer.from(this.buffer.subarray(bodyStart, bodyEnd));
    this.buffer = this.buffer.subarray(bodyEnd);
    return { headers, body };
  }
}

function findHeaderEnd(buffer: Buffer, from: number): { start: number; end: number } | undefined {
  // Headers may be empty (a boundary line directly followed by a blank line).
  if (buffer.subarray(from, from + 2).toString('latin1') === '\r\n') return { start: from, end: from + 2 };
  const crlf = buffer.indexOf('\r\n\r\n', from);
  const lf = buffer.indexOf('\n\n', from);
  if (crlf === -1 && lf === -1) return undefined;
  if (crlf !== -1 && (lf === -1 || crlf <= lf)) return { start: crlf, end: crlf + 4 };
  return { start: lf, end: lf + 2 };
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}
