/**
 * The camera's ARTEMIS application on one session: login (token), device info, paged media list,
 * thumbnails on channel 4, live video records on channel 1, the {"evtId":4} event after login, and
 * heartbeats that are only DRW-acknowledged. JSON shapes are the captured ones
 * (shared/reference/trailcam-artemis.md). Replies: base64 ciphertext + 21 NULs, as the camera sends.
 * ARTEMIS frames, command encryption and the live media record use core's codec, which the captured
 * packets pin. The channel-4 thumbnail record is not in any capture: its layout is the simulator's
 * own (thumbnailRecord below), documented where core decodes it. Whole files (cmdId 1285) come in
 * 72-byte-header chunks on channel 3, following the assumptions written down in core's file-codec.ts.
 */
import {
  ArtemisType,
  decryptCommand,
  encodeArtemisFrame,
  encodeEventPayload,
  encodeFileChunk,
  encodeMediaRecord,
  encryptCommand,
} from '@camflow/core';
import { LIVE_ACCESS_UNITS, LIVE_HEIGHT, LIVE_WIDTH } from './live-h264.js';
import { mediaFileBytes } from './media-files.js';
import { deviceInfoJson } from './device-info.js';
import { thumbnailJpeg } from './jpeg.js';

export interface Photo {
  fileType: number;
  mediaDirNum: number;
  mediaNum: number;
  durationMs: number;
  mediaId: number;
  mediaTime: number;
}

export interface CameraAppOptions {
  username: string;
  password: string;
  photos: readonly Photo[];
  frameIntervalMs: number;
  /** Pause between file chunks (a camera's SD card and Wi-Fi); 0 sends a file at once. */
  fileChunkIntervalMs?: number;
  write: (channel: number, data: Buffer) => void;
  onHeartbeat: () => void;
  /** Every command after login, by cmdId (heartbeats excepted). */
  onCommand?: (cmdId: number) => void;
}

const HEADER = 20;
const CAMERA_NULS = 21;
/** File bytes per channel-3 record: 16 DRWs of 1024 bytes. */
const FILE_CHUNK = 16 * 1024 - 72;
/** The camera rejects pages of 50 or more (pwnb0t notes). */
const MAX_PAGE = 49;

export class CameraApp {
  readonly #o: CameraAppOptions;
  #buffer = Buffer.alloc(0);
  #token: number | undefined;
  #live: NodeJS.Timeout | undefined;
  #frames = 0;
  #stopped = false;

  constructor(options: CameraAppOptions) {
    this.#o = options;
  }

  get liveRunning(): boolean {
    return this.#live !== undefined;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#live);
    this.#live = undefined;
  }

  /** In-order channel-0 bytes from the client: reassemble ARTEMIS requests and answer them. */
  onControlData(data: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, data]);
    while (this.#buffer.length >= HEADER) {
      if (this.#buffer.subarray(0, 7).toString('latin1') !== 'ARTEMIS') {
        this.#buffer = Buffer.alloc(0); // garbage: a real camera would ignore it too
        return;
      }
      const length = this.#buffer.readUInt32LE(16);
      if (this.#buffer.length < HEADER + length) return;
      const seq = this.#buffer.readUInt32LE(12);
      const payload = this.#buffer.subarray(HEADER, HEADER + length);
      this.#buffer = this.#buffer.subarray(HEADER + length);
      let request: Record<string, unknown>;
      try {
        request = decryptCommand(payload);
      } catch {
        continue;
      }
      this.#dispatch(seq, request);
    }
  }

  #reply(seq: number, json: Record<string, unknown>): void {
    this.#o.write(0, encodeArtemisFrame({ event: false, type: ArtemisType.REPLY, seq }, encryptCommand(json, CAMERA_NULS)));
  }

  #dispatch(seq: number, request: Record<string, unknown>): void {
    const cmdId = request['cmdId'];
    if (cmdId === 525) return this.#o.onHeartbeat();
    if (cmdId === 0) return this.#login(seq, request);
    if (typeof cmdId !== 'number') return;
    if (this.#token === undefined || request['token'] !== this.#token) {
      return this.#reply(seq, { errorMsg: 'Invalid token', result: -2, cmdId });
    }
    this.#o.onCommand?.(cmdId);
    switch (cmdId) {
      case 512:
        return this.#reply(seq, deviceInfoJson());
      case 768:
        return this.#mediaList(seq, request);
      case 772:
        return this.#thumbnails(seq, request);
      case 1285:
        return this.#download(seq, request);
      case 258:
        this.#startLive();
        return this.#reply(seq, { errorMsg: 'Success', result: 0, cmdId: 258 });
      case 259:
        this.stop();
        return this.#reply(seq, { errorMsg: 'Success', result: 0, cmdId: 259 });
      default:
        return this.#reply(seq, { errorMsg: 'Unsupported command', result: -1, cmdId });
    }
  }

  #login(seq: number, request: Record<string, unknown>): void {
    if (request['usrName'] !== this.#o.username || request['password'] !== this.#o.password) {
      return this.#reply(seq, { cmdId: 0, result: -1, errorMsg: 'Password error' });
    }
    this.#token = Math.floor(Math.random() * 0x7fff_ffff);
    this.#reply(seq, { cmdId: 0, result: 0, token: this.#token, bat_percent: 80, errorMsg: 'Success' });
    this.#o.write(6, encodeArtemisFrame({ event: true, type: ArtemisType.EVENT, seq: 1 }, encodeEventPayload({ evtId: 4 })));
  }

  #mediaList(seq: number, request: Record<string, unknown>): void {
    const perPage = Number(request['itemCntPerPage']);
    const pageNo = Number(request['pageNo']);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PAGE || !Number.isInteger(pageNo) || pageNo < 0) {
      return this.#reply(seq, { mediaFiles: [], cnt: 0, getMediaListRet: -1, errorMsg: 'Invalid param', result: -1, cmdId: 768 });
    }
    const mediaFiles = this.#o.photos.slice(pageNo * perPage, (pageNo + 1) * perPage);
    this.#reply(seq, { mediaFiles, cnt: mediaFiles.length, pageNo, getMediaListRet: 0, errorMsg: 'Success', result: 0, cmdId: 768 });
  }

  #thumbnails(seq: number, request: Record<string, unknown>): void {
    const reqs = Array.isArray(request['thumbnailReqs']) ? (request['thumbnailReqs'] as unknown[]) : [];
    this.#reply(seq, { cmdRet: 0, result: 0, cmdId: 772 });
    for (const req of reqs) {
      const r = (req ?? {}) as Record<string, unknown>;
      const photo = this.#o.photos.find((p) => p.mediaDirNum === r['dirNum'] && p.mediaNum === r['mediaNum']);
      if (photo === undefined) continue;
      const record = thumbnailRecord(photo, thumbnailJpeg(photo.mediaDirNum, photo.mediaNum));
      this.#o.write(4, encodeArtemisFrame({ event: false, type: ArtemisType.MEDIA, seq: 4 }, record));
    }
  }

  /** Whole files: one reply, then the file in order on channel 3 (file-codec.ts A1-A6). */
  #download(seq: number, request: Record<string, unknown>): void {
    const reqs = Array.isArray(request['downloadReqs']) ? (request['downloadReqs'] as unknown[]) : [];
    const wanted = reqs.map((req) => {
      const r = (req ?? {}) as Record<string, unknown>;
      return this.#o.photos.find((p) => p.fileType === r['fileType'] && p.mediaDirNum === r['dirNum'] && p.mediaNum === r['mediaNum']);
    });
    if (wanted.length === 0 || wanted.some((file) => file === undefined)) {
      return this.#reply(seq, { cmdRet: -1, result: -1, errorMsg: 'No such file', cmdId: 1285 });
    }
    this.#reply(seq, { cmdRet: 0, result: 0, cmdId: 1285 });
    const chunks: Buffer[] = [];
    for (const file of wanted as Photo[]) {
      const bytes = mediaFileBytes(file.fileType, file.mediaDirNum, file.mediaNum);
      for (let offset = 0; offset < bytes.length; offset += FILE_CHUNK) {
        const data = bytes.subarray(offset, offset + FILE_CHUNK);
        chunks.push(encodeFileChunk({ fileType: file.fileType, dirNum: file.mediaDirNum, mediaNum: file.mediaNum, fileSize: bytes.length, offset, data }));
      }
    }
    const interval = this.#o.fileChunkIntervalMs ?? 0;
    const send = (chunk: Buffer): void => this.#o.write(3, encodeArtemisFrame({ event: false, type: ArtemisType.MEDIA, seq: 3 }, chunk));
    if (interval === 0) return chunks.forEach(send);
    const next = (): void => {
      const chunk = chunks.shift();
      if (chunk === undefined || this.#stopped) return;
      send(chunk);
      setTimeout(next, interval).unref();
    };
    next();
  }

  #startLive(): void {
    if (this.#live !== undefined) return;
    const send = (): void => {
      // Real H.264, one access unit per record, looped (each loop starts with a key frame).
      const unit = LIVE_ACCESS_UNITS[this.#frames++ % LIVE_ACCESS_UNITS.length]!;
      // The captured record carries u32 3 after the type: kept as is.
      this.#o.write(1, encodeArtemisFrame({ event: false, type: ArtemisType.MEDIA, seq: 3 }, encodeMediaRecord(LIVE_WIDTH, LIVE_HEIGHT, unit)));
    };
    send();
    this.#live = setInterval(send, this.#o.frameIntervalMs);
    this.#live.unref();
  }
}

/**
 * The thumbnail record on channel 4. No capture decodes one (trailcam-artemis.md lists the layout as
 * unconfirmed), so this is camflow's convention, shared with core's decodeThumbnail only by
 * documentation: u32 LE fileType, dirNum, mediaNum, JPEG length (the ARTEMIS frame's own integers
 * are little-endian), then the JPEG.
 */
export function thumbnailRecord(photo: Pick<Photo, 'fileType' | 'mediaDirNum' | 'mediaNum'>, jpeg: Buffer): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32LE(photo.fileType, 0);
  header.writeUInt32LE(photo.mediaDirNum, 4);
  header.writeUInt32LE(photo.mediaNum, 8);
  header.writeUInt32LE(jpeg.length, 12);
  return Buffer.concat([header, jpeg]);
}
