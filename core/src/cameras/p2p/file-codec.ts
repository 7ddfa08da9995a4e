/**
 * The full-size file download of a TrailCam (cmdId 1285): photos (fileType 0) and videos (fileType 1).
 *
 * SOURCE AND ASSUMPTIONS. No capture holds this command (trailcam-artemis.md, "Unconfirmed"). What is
 * known comes from one write-up without a licence (pwnb0t/trailcam-automation, docs/download-photo.md),
 * read for its facts and never copied. Everything the write-up does not pin is camflow's own choice,
 * made the same way in this client and in camflow's simulator, and listed here so that one capture of
 * a real download can correct it in this one file:
 *   A1 Request: {"cmdId":1285,"downloadReqs":[{"fileType":F,"dirNum":D,"mediaNum":N}],"token":T}
 *      (from the write-up). camflow asks for one file per request, one request at a time, as it does
 *      for thumbnails, so every chunk belongs to the one file asked for.
 *   A2 Reply: {"cmdRet":0,"result":0,"cmdId":1285} (from the write-up). A non-zero `result` or
 *      `cmdRet` is taken as "no such file / refused" (the write-up shows only success).
 *   A3 The bytes arrive on channel 3 in ARTEMIS frames (from the write-up: "channel 3", "72-byte
 *      header"). camflow sends and expects frame type 0 (MEDIA), as on the live and thumbnail channels.
 *   A4 Each frame's payload is a 72-byte header and then a chunk of the file. The write-up gives only
 *      the header's size; its layout here is camflow's: u32 LE fileType @0, dirNum @4, mediaNum @8,
 *      file size @12, this chunk's offset @16, chunk length @20, bytes 24..71 zero. (The ARTEMIS
 *      frame's own integers are little-endian, so these are too.)
 *   A5 Chunks come in order, each starting where the last ended; the file is whole when
 *      offset + length == file size. A gap, an overlap or a chunk past the end is a protocol error.
 *   A6 File bytes are plain: the AES rule for live video (first 0x60 bytes of each 0x1000 page) is
 *      not applied to downloads. The write-up shows a JPEG right after the header.
 */
import { ProtocolError } from '../../errors.js';

export const FILE_CHUNK_HEADER_SIZE = 72;
export const FILE_DOWNLOAD_CMD = 1285;

/** What a download asks for: the media list's fileType, directory and number. */
export interface FileRef {
  fileType: number;
  dirNum: number;
  mediaNum: number;
}

export interface FileChunk extends FileRef {
  fileSize: number;
  offset: number;
  data: Buffer;
}

/** A1: the request's JSON (the token is added by the command layer). */
export function fileDownloadRequest(ref: FileRef): Record<string, unknown> {
  return { cmdId: FILE_DOWNLOAD_CMD, downloadReqs: [{ fileType: ref.fileType, dirNum: ref.dirNum, mediaNum: ref.mediaNum }] };
}

/** A2: undefined when the camera accepted the request, else why not. */
export function fileDownloadRefusal(reply: Record<string, unknown>): string | undefined {
  if (reply['result'] === 0 && (reply['cmdRet'] === undefined || reply['cmdRet'] === 0)) return undefined;
  const message = typeof reply['errorMsg'] === 'string' ? ` (${reply['errorMsg']})` : '';
  return `result ${String(reply['result'])}, cmdRet ${String(reply['cmdRet'])}${message}`;
}

/** A4: one chunk record (the ARTEMIS frame's payload). */
export function encodeFileChunk(chunk: FileChunk): Buffer {
  const header = Buffer.alloc(FILE_CHUNK_HEADER_SIZE);
  header.writeUInt32LE(chunk.fileType, 0);
  header.writeUInt32LE(chunk.dirNum, 4);
  header.writeUInt32LE(chunk.mediaNum, 8);
  header.writeUInt32LE(chunk.fileSize, 12);
  header.writeUInt32LE(chunk.offset, 16);
  header.writeUInt32LE(chunk.data.length, 20);
  return Buffer.concat([header, chunk.data]);
}

export function decodeFileChunk(payload: Buffer): FileChunk {
  if (payload.length < FILE_CHUNK_HEADER_SIZE) throw new ProtocolError(`file chunk of ${payload.length} bytes is shorter than its ${FILE_CHUNK_HEADER_SIZE}-byte header`);
  const length = payload.readUInt32LE(20);
  const data = payload.subarray(FILE_CHUNK_HEADER_SIZE);
  if (data.length !== length) throw new ProtocolError(`file chunk says ${length} bytes but carries ${data.length}`);
  const chunk = {
    fileType: payload.readUInt32LE(0),
    dirNum: payload.readUInt32LE(4),
    mediaNum: payload.readUInt32LE(8),
    fileSize: payload.readUInt32LE(12),
    offset: payload.readUInt32LE(16),
    data,
  };
  if (chunk.offset + data.length > chunk.fileSize) throw new ProtocolError(`file chunk at ${chunk.offset} (+${data.length}) runs past the file's ${chunk.fileSize} bytes`);
  return chunk;
}

/** A5: follows one file's chunks; throws on a gap or overlap, says when the file is whole. */
export class FileAssembly {
  #next = 0;
  #size: number | undefined;

  constructor(readonly ref: FileRef) {}

  /** True when this chunk belongs to the file being fetched. */
  owns(chunk: FileRef): boolean {
    return chunk.fileType === this.ref.fileType && chunk.dirNum === this.ref.dirNum && chunk.mediaNum === this.ref.mediaNum;
  }

  /** Checks the chunk's place; returns true when it completes the file. */
  accept(chunk: FileChunk): boolean {
    if (this.#size !== undefined && chunk.fileSize !== this.#size) throw new ProtocolError(`the file's size changed from ${this.#size} to ${chunk.fileSize} bytes mid-download`);
    this.#size = chunk.fileSize;
    if (chunk.offset !== this.#next) throw new ProtocolError(`file chunk at byte ${chunk.offset}, expected ${this.#next}`);
    this.#next += chunk.data.length;
    return this.#next === chunk.fileSize;
  }

  get received(): number {
    return this.#next;
  }

  get size(): number | undefined {
    return this.#size;
  }
}
