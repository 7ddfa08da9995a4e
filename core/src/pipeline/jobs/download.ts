/**
 * `download`: one recording from a Hikvision camera or NVR, from Ring's cloud (`playback_uri`
 * `ring:<ding id>`), or a TrailCam's whole photo or video (`trailcam:<type>/<dir>/<num>`), into the
 * media folder. A file that exists
 * is whole: bytes go to `<file>.part`, renamed only once every byte promised has arrived. A `.part`
 * left by a broken attempt is resumed with an HTTP Range request; a device that ignores Range
 * answers 200 with the whole recording, and the download starts again from byte 0 (isapi.md says
 * nothing of Range support, so it is never assumed).
 */
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { HikvisionCamera, P2pCamera, RingCamera } from '../../cameras/camera.js';
import { connectedTrailcam, TRAILCAM_PLAYBACK_PREFIX, trailcamFileName, trailcamFileRef } from '../../cameras/p2p/recordings.js';
import { openRingRecording, RING_PLAYBACK_PREFIX } from '../../cameras/ring/recordings.js';
import { DEFAULT_RECORDING_NAME, renderRecordingName } from '../../cameras/hikvision/recordings-name.js';
import { abortErrorFrom, CamflowError, type CamflowErrorOptions, ConnectionError, ensureError, ProtocolError, TimeoutError } from '../../errors.js';
import { diskError } from '../files.js';
import { defineJobType, type HandlerContext } from '../registry.js';
import { UnrecoverableJobError } from '../retry.js';

/** The recording's end is still ahead: the device is writing it. Retried later, never saved half. */
export class RecordingNotCompleteError extends CamflowError {
  override readonly code: string = 'RECORDING_NOT_COMPLETE';
  /** When the recording should be whole (its end plus a minute for the device to close it). */
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number, options?: CamflowErrorOptions) {
    super(message, options);
    this.retryAfterMs = retryAfterMs;
  }
}

const isoTime = z.iso.datetime({ offset: true });

export const downloadParams = z.strictObject({
  camera: z.string().min(1),
  /** As the search returned it (unescaped). */
  playback_uri: z.string().min(1),
  start: isoTime,
  end: isoTime,
  /** Record track, default the camera's main stream (channel * 100 + 1). */
  track: z.number().int().min(1).optional(),
  /** Bytes the device announced (`size=` of the playback URI): a file of this size is not fetched again. */
  size: z.number().int().min(0).optional(),
  /** Where the file goes instead of the recording template under media_dir (absolute; a front-end's own folder). */
  path: z.string().regex(/^\//, 'must be an absolute path').optional(),
});

export type DownloadParams = z.output<typeof downloadParams>;

export const downloadResult = z.object({
  camera: z.string(),
  path: z.string(),
  start: z.string(),
  end: z.string(),
  duration_ms: z.number(),
  bytes: z.number().int(),
  skipped: z.boolean().optional(),
});

export type DownloadResult = z.output<typeof downloadResult>;

/** How often progress is reported while bytes flow (the engine stores a few per second at most). */
const PROGRESS_EVERY_MS = 250;

export interface DownloadJobOptions {
  /** `pipeline.recording_name`, default `recordings/{camera}/{date}/{start}_{end}.mp4`. */
  recordingName?: string;
}

export function createDownloadJob(options: DownloadJobOptions = {}) {
  const template = options.recordingName ?? DEFAULT_RECORDING_NAME;
  return defineJobType({
    type: 'download',
    params: downloadParams,
    result: downloadResult,
    concurrency: 4,
    // An NVR serves only a few playback streams at once; more only slows each one down.
    perCamera: 2,
    async handler(params, ctx): Promise<DownloadResult> {
      const camera = recordingCamera(ctx, params.camera);
      const start = new Date(params.start);
      const end = new Date(params.end);
      const label = `camera ${params.camera}: recording ${recordingLabel(params)}`;
      if (end.getTime() > Date.now()) {
        throw new RecordingNotCompleteError(`${label} is still being written (it ends at ${end.toISOString()}); it is fetched once it is complete`, end.getTime() - Date.now() + 60_000);
      }
      const track = params.track ?? (camera.kind === 'hikvision' ? camera.channel * 100 + 1 : 101);
      // Ring names times in UTC, as its API does; a Hikvision camera in its configured time zone.
      const zone = camera.kind === 'hikvision' ? camera.client.timeZone : 'utc';
      const rendered = join(ctx.services.mediaDir, renderRecordingName(template, { camera: params.camera, start, end, track }, zone));
      const path = params.path ?? (camera.kind === 'p2p' ? trailcamFileName(rendered, trailcamFileRef(params.playback_uri)) : rendered);
      const result = (bytes: number, skipped: boolean): DownloadResult => ({
        camera: params.camera,
        path,
        start: start.toISOString(),
        end: end.toISOString(),
        duration_ms: end.getTime() - start.getTime(),
        bytes,
        ...(skipped ? { skipped: true } : {}),
      });
      const existing = await sizeOf(path);
      // No size announced: a file that exists was renamed from a whole .part, so it is whole.
      if (existing !== undefined && (params.size === undefined ? existing > 0 : existing === params.size)) {
        ctx.progress(1, `already on disk (${formatBytes(existing)})`);
        return result(existing, true);
      }
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (error) {
        throw prefixed(diskError(error, dirname(path)), params.camera);
      }
      if (camera.kind === 'p2p') return result(await fetchTrailcamFile(camera, params, path, ctx), false);
      const open = (o: { signal: AbortSignal; headers?: Record<string, string> }): Promise<RecordingResponse> =>
        camera.kind === 'ring' ? openRingRecording(camera.client, params.playback_uri, o) : camera.client.openRecording(params.playback_uri, o);
      const bytes = await fetchToPart(open, params, path, label, ctx);
      return result(bytes, false);
    },
  });
}

export const downloadJob = createDownloadJob();

/** What a device answers to a recording request: status, headers and the bytes. */
interface RecordingResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

function recordingCamera(ctx: HandlerContext, id: string): HikvisionCamera | RingCamera | P2pCamera {
  const camera = ctx.services.camera(id);
  if (camera.kind !== 'hikvision' && camera.kind !== 'ring' && camera.kind !== 'p2p') {
    throw new UnrecoverableJobError(`camera ${id} is a ${camera.kind} camera; download jobs fetch Hikvision, Ring and TrailCam recordings`);
  }
  return camera;
}

/** A whole TrailCam photo or video (cmdId 1285) into `path` (the client writes `.part` and renames). */
async function fetchTrailcamFile(camera: P2pCamera, params: DownloadParams, path: string, ctx: HandlerContext): Promise<number> {
  const ref = trailcamFileRef(params.playback_uri);
  await connectedTrailcam(camera, ctx.signal);
  let meter: Meter | undefined;
  try {
    const { bytes } = await camera.client.downloadMedia(ref, path, {
      signal: ctx.signal,
      onProgress: (bytes, total) => {
        meter ??= new Meter(0, total, ctx);
        meter.update(bytes);
      },
    });
    meter?.update(bytes, true);
    return bytes;
  } catch (error) {
    if (ctx.signal.aborted) throw abortErrorFrom(ctx.signal);
    const e = ensureError(error);
    if ((e as NodeJS.ErrnoException).syscall !== undefined && !(e instanceof CamflowError)) throw prefixed(diskError(e, path), params.camera);
    throw e instanceof CamflowError && !e.message.startsWith('camera ') ? new (e.constructor as new (m: string, o: CamflowErrorOptions) => CamflowError)(`camera ${params.camera}: ${e.message}`, { cause: e }) : e;
  }
}

/** Streams the recording into `<path>.part` (resuming what is there), then renames it. Returns the bytes. */
async function fetchToPart(
  openRecording: (o: { signal: AbortSignal; headers?: Record<string, string> }) => Promise<RecordingResponse>,
  params: DownloadParams,
  path: string,
  label: string,
  ctx: HandlerContext,
): Promise<number> {
  const part = `${path}.part`;
  let offset = (await sizeOf(part)) ?? 0;
  if (params.size !== undefined && offset > params.size) offset = 0;
  if (offset > 0 && offset === params.size) {
    // A whole .part whose rename was interrupted.
    await renameWhole(part, path, params.camera);
    return offset;
  }
  let handle: FileHandle;
  try {
    // Opened before asking the device: an unwritable folder fails here, with nothing created.
    handle = await open(part, offset > 0 ? 'r+' : 'w');
  } catch (error) {
    throw prefixed(diskError(error, part), params.camera);
  }
  let position = 0;
  let total: number | undefined;
  try {
    const response = await openRecording({
      signal: ctx.signal,
      ...(offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {}),
    });
    const span = answeredSpan(response.status, response.headers['content-range'], response.headers['content-length'], params.size);
    if (offset > 0 && span.start !== offset) {
      // A device that ignores Range sends the whole recording: start again rather than append.
      ctx.logger.debug(`${label}: resume from byte ${offset} answered with HTTP ${response.status} from byte ${span.start}; starting again`);
      await handle.truncate(0);
    }
    position = span.start;
    total = span.total;
    const meter = new Meter(position, total, ctx);
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      await writeAll(handle, chunk, position);
      position += chunk.length;
      meter.update(position);
    }
    meter.update(position, true);
    await handle.truncate(position);
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw await failure(error, { part, label, camera: params.camera, position, total, signal: ctx.signal });
  }
  if (total !== undefined && position !== total) {
    // The body ended early: keep the .part, the next attempt resumes it.
    throw new ConnectionError(`${label}: the device sent ${position} of ${total} bytes (resumed on the next attempt)`);
  }
  await renameWhole(part, path, params.camera);
  return position;
}

interface FailureContext {
  part: string;
  label: string;
  camera: string;
  position: number;
  total: number | undefined;
  signal: AbortSignal;
}

/**
 * What a broken attempt throws, and what becomes of the .part: a full or unwritable disk and a
 * cancel remove it (and are not retried); a network break keeps it for the next attempt to resume.
 */
async function failure(error: unknown, c: FailureContext): Promise<Error> {
  const e = ensureError(error);
  if (c.signal.aborted) {
    await rm(c.part, { force: true });
    return abortErrorFrom(c.signal);
  }
  if ((e as NodeJS.ErrnoException).syscall !== undefined && !(e instanceof CamflowError)) {
    await rm(c.part, { force: true });
    return prefixed(diskError(e, c.part), c.camera);
  }
  if (e instanceof CamflowError) {
    // A refusal before any byte: drop an empty .part, keep one with bytes to resume.
    if ((await sizeOf(c.part)) === 0) await rm(c.part, { force: true });
    return e;
  }
  const message = `${c.label}: broke off after ${c.position}${c.total === undefined ? '' : ` of ${c.total}`} bytes (resumed on the next attempt): ${e.message}`;
  return (e as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT' ? new TimeoutError(message, { cause: e }) : new ConnectionError(message, { cause: e });
}

/** Where the answer's bytes start in the recording and how long the recording is, when it says. */
export function answeredSpan(
  status: number,
  contentRange: string | string[] | undefined,
  contentLength: string | string[] | undefined,
  announced: number | undefined,
): { start: number; total: number | undefined } {
  const length = Number(Array.isArray(contentLength) ? contentLength[0] : contentLength);
  const known = Number.isFinite(length) && length >= 0 && contentLength !== undefined;
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(Array.isArray(contentRange) ? contentRange[0] : (contentRange ?? '')).trim());
    if (m === null) throw new ProtocolError(`HTTP 206 without a usable Content-Range (${String(contentRange)})`);
    const start = Number(m[1]);
    const total = m[3] === '*' ? (known ? start + length : announced) : Number(m[3]);
    return { start, total };
  }
  return { start: 0, total: known ? length : announced };
}

async function writeAll(handle: FileHandle, chunk: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

async function renameWhole(part: string, path: string, camera: string): Promise<void> {
  try {
    await rename(part, path);
  } catch (error) {
    await rm(part, { force: true });
    throw prefixed(diskError(error, path), camera);
  }
}

/** Bytes and bytes/s of this attempt, reported a few times a second. */
class Meter {
  readonly #started = Date.now();
  readonly #from: number;
  readonly #total: number | undefined;
  readonly #ctx: HandlerContext;
  #last = 0;

  constructor(from: number, total: number | undefined, ctx: HandlerContext) {
    this.#from = from;
    this.#total = total;
    this.#ctx = ctx;
    ctx.progress(total === undefined || total === 0 ? 0 : from / total, from > 0 ? `resuming at ${formatBytes(from)}` : 'starting');
  }

  update(bytes: number, final = false): void {
    const now = Date.now();
    if (!final && now - this.#last < PROGRESS_EVERY_MS) return;
    this.#last = now;
    const seconds = Math.max(0.001, (now - this.#started) / 1000);
    const rate = `${formatBytes((bytes - this.#from) / seconds)}/s`;
    const total = this.#total;
    if (total === undefined || total === 0) this.#ctx.progress(0, `${formatBytes(bytes)}, ${rate}`);
    else this.#ctx.progress(bytes / total, `${formatBytes(bytes)} of ${formatBytes(total)}, ${rate}`);
  }
}

/** `12.3 MB`, `40 MB`, `512 kB` (SI units, as download tools show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const text = unit === 0 || value >= 100 || Number.isInteger(value) ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}

function recordingLabel(params: DownloadParams): string {
  if (params.playback_uri.startsWith(TRAILCAM_PLAYBACK_PREFIX)) return `${params.playback_uri.slice(TRAILCAM_PLAYBACK_PREFIX.length)} (${params.start})`;
  if (params.playback_uri.startsWith(RING_PLAYBACK_PREFIX)) return `${params.playback_uri.slice(RING_PLAYBACK_PREFIX.length)} (${params.start})`;
  const name = /[?&]name=([^&]+)/.exec(params.playback_uri)?.[1];
  return name === undefined ? `from ${params.start}` : `${decodeURIComponent(name)} (${params.start})`;
}

/** A disk error with the camera named, its errno code kept (so it is not retried). */
function prefixed(error: Error, camera: string): Error {
  if (!(error as NodeJS.ErrnoException).code || error.message.startsWith('camera ')) return error;
  const out = new Error(`camera ${camera}: ${error.message}`, { cause: error.cause ?? error }) as NodeJS.ErrnoException;
  out.code = (error as NodeJS.ErrnoException).code;
  return out;
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}
