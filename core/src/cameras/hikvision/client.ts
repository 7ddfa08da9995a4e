/**
 * Hikvision ISAPI client over the digest HTTP layer. Overlay writes are read-modify-write on the
 * device's own document (namespace and unknown fields kept); the last document read or written is
 * cached per channel so a steady overlay sync costs one PUT, not a GET and a PUT.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { HikvisionCameraConfig } from '../../config/camera.js';
import { abortErrorFrom, CamflowError, ConnectionError, ensureError, ProtocolError, TimeoutError } from '../../errors.js';
import { TypedEmitter } from '../../events.js';
import { CameraHttpClient, type HttpResponse, type HttpStreamResponse } from '../../http/client.js';
import { usesTls } from '../../http/tls.js';
import { noopLogger, type Logger } from '../../log.js';
import { AlertStreamHub } from './events.js';
import { OverlayDocument } from './overlay-doc.js';
import { fromDeviceClock, toDeviceClock } from './recordings-time.js';
import { expectRoot, isapiTime, parseDeviceInfo, parseSearchResult, parseTextOverlay } from './parse.js';
import { assertIsapiOk, isapiErrorFrom, isNotSupported } from './status.js';
import {
  IsapiError,
  TextTooLongError,
  type CallOptions,
  type CameraEvent,
  type DeviceInfo,
  type DownloadOptions,
  type EventStreamStatus,
  type HikvisionClientEvents,
  type HikvisionClientOptions,
  type RecordingMatch,
  type RecordingQuery,
  type TextOverlay,
  type TextOverlayUpdate,
} from './types.js';
import { childElements, escapeXml, findChild, getAttr, parseXml, type XmlElement } from './xml.js';

const XML_HEADERS = { 'content-type': 'application/xml; charset="UTF-8"' };
/** Hikvision's usual limit when the device does not publish capabilities. */
const DEFAULT_TEXT_LIMIT = 44;
const MAX_SEARCH_PAGES = 500;
/** ISAPI documents are a few kB (a search page of 40 matches about 30 kB): 1 MB is far beyond any. */
const MAX_XML_BYTES = 1024 * 1024;
/** A 12 MP camera's JPEG is 2-5 MB. */
const MAX_JPEG_BYTES = 16 * 1024 * 1024;
/** Of an error answer to a download, enough to read its ResponseStatus. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

const overlaysPath = (channel: number): string => `/ISAPI/System/Video/inputs/channels/${channel}/overlays/text`;

/**
 * Emits `event-stream` (see EventStreamStatus) when the shared alert stream's state changes; a
 * listener that throws is logged and never disturbs the stream.
 */
export class HikvisionClient extends TypedEmitter<HikvisionClientEvents> {
  readonly name: string;
  /** The clock search times are written and read in (see HikvisionClientOptions.timeZone). */
  readonly timeZone: string;
  private readonly http: CameraHttpClient;
  private readonly logger: Logger;
  private readonly hub: AlertStreamHub;
  private readonly listDocs = new Map<number, OverlayDocument>();
  private readonly singleDocs = new Map<string, OverlayDocument>();
  private readonly textLimits = new Map<number, number>();
  private readonly noBatch = new Set<number>();
  private usePictureProxy = false;

  constructor(options: HikvisionClientOptions) {
    super({ onListenerError: (error, event) => this.logger.warn(`${this.name}: a '${event}' listener failed: ${ensureError(error).message}`) });
    const tls = usesTls(options.tls);
    const port = options.port ?? (tls ? 443 : 80);
    const host = options.host.includes(':') && !options.host.startsWith('[') ? `[${options.host}]` : options.host;
    this.name = options.name ?? `${options.host}:${port}`;
    this.timeZone = options.timeZone ?? 'utc';
    this.logger = (options.logger ?? noopLogger).child('hikvision');
    this.http = new CameraHttpClient({
      origin: `${tls ? 'https' : 'http'}://${host}:${port}`,
      username: options.username,
      password: options.password,
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      connections: options.connections ?? 4,
      timeoutMs: options.timeoutMs ?? 5000,
      authBackoffMs: options.authBackoffMs ?? 300_000,
      ...(options.allowBasicOverHttp === undefined ? {} : { allowBasicOverHttp: options.allowBasicOverHttp }),
      logger: this.logger,
      name: this.name,
    });
    this.hub = new AlertStreamHub({
      http: this.http,
      logger: this.logger,
      name: this.name,
      idleTimeoutMs: options.eventIdleTimeoutMs ?? 35_000,
      holdMs: options.eventHoldMs ?? 5000,
      reconnect: options.eventReconnectMs ?? { initial: 1000, max: 30_000 },
      onStatus: (status) => this.emit('event-stream', status),
    });
  }

  static fromConfig(camera: HikvisionCameraConfig, logger?: Logger): HikvisionClient {
    return new HikvisionClient({
      host: camera.host,
      ...(camera.port === undefined ? {} : { port: camera.port }),
      tls: camera.tls,
      username: camera.username,
      password: camera.password,
      timeoutMs: camera.timeout,
      connections: camera.connections,
      authBackoffMs: camera.auth_backoff,
      allowBasicOverHttp: camera.allow_basic_over_http,
      name: camera.id,
      // Unset in the config means the host's zone (a config built in code may leave it out).
      timeZone: camera.time_zone ?? 'local',
      ...(logger === undefined ? {} : { logger }),
    });
  }

  /** Round trips and 401s so far (steady state: roundTrips === requests, no 401). */
  get httpCounters(): Readonly<{ requests: number; roundTrips: number; unauthorized: number }> {
    return this.http.counters;
  }

  async deviceInfo(o: CallOptions = {}): Promise<DeviceInfo> {
    return parseDeviceInfo(await this.getXml('/ISAPI/System/deviceInfo', 'DeviceInfo', o));
  }

  async getTextOverlays(channel: number, o: CallOptions = {}): Promise<TextOverlay[]> {
    const root = await this.getXml(overlaysPath(channel), 'TextOverlayList', o);
    this.listDocs.set(channel, new OverlayDocument(root));
    return childElements(root, 'TextOverlay').map(parseTextOverlay);
  }

  /**
   * Max characters per overlay text, from the device's capabilities (cached). The one place that
   * falls back to Hikvision's usual 44: a device that has no capabilities document (an ISAPI error,
   * a plain 404/403/405, or a document we cannot read) still takes text. Only failing to reach the
   * device (connection, timeout, credentials, a 5xx) is thrown, and then nothing is cached.
   */
  async textLimit(channel: number, o: CallOptions = {}): Promise<number> {
    const known = this.textLimits.get(channel);
    if (known !== undefined) return known;
    const path = `${overlaysPath(channel)}/capabilities`;
    const response = await this.http.request({ method: 'GET', path, ...callOpts(o), maxBodyBytes: MAX_XML_BYTES });
    const error = isapiErrorFrom(response.status, response.body, path);
    if (error === undefined && response.status >= 500) throw new ProtocolError(`${path}: HTTP ${response.status}`);
    let limit: number | undefined;
    if (error === undefined && response.status < 400) {
      try {
        const root = expectRoot(parseXml(response.body.toString('utf8')), 'TextOverlayList', path);
        const max = Number(getAttr(findChild(findChild(root, 'TextOverlay') ?? root, 'displayText') ?? root, 'max'));
        if (Number.isInteger(max) && max > 0) limit = max;
      } catch (parseError) {
        this.logger.debug(`${this.name}: unreadable overlay capabilities (${ensureError(parseError).message})`);
      }
    }
    if (limit === undefined) {
      const why = error?.message ?? (response.status >= 400 ? `HTTP ${response.status}` : 'no text limit in it');
      this.logger.debug(`${this.name}: no overlay capabilities (${why}); assuming ${DEFAULT_TEXT_LIMIT} characters`);
      limit = DEFAULT_TEXT_LIMIT;
    }
    this.textLimits.set(channel, limit);
    return limit;
  }

  async setTextOverlay(channel: number, overlay: TextOverlayUpdate, o: CallOptions = {}): Promise<void> {
    await this.checkLength(channel, [overlay], o);
    const key = `${channel}/${overlay.id}`;
    const path = `${overlaysPath(channel)}/${overlay.id}`;
    const doc = this.singleDocs.get(key) ?? new OverlayDocument(await this.getXml(path, 'TextOverlay', o), overlay.id);
    try {
      await this.call('PUT', path, o, doc.body([overlay]));
    } catch (error) {
      this.singleDocs.delete(key);
      throw error;
    }
    // Only now, with the device's consent, does the cached copy change (here and in the list form).
    doc.apply([overlay]);
    this.singleDocs.set(key, doc);
    this.listDocs.get(channel)?.apply([overlay]);
  }

  /** One PUT of the whole TextOverlayList; one PUT per overlay on devices that answer notSupport. */
  async setTextOverlays(channel: number, overlays: TextOverlayUpdate[], o: CallOptions = {}): Promise<void> {
    if (overlays.length === 0) return;
    await this.checkLength(channel, overlays, o);
    if (!this.noBatch.has(channel)) {
      try {
        await this.putOverlayList(channel, overlays, o);
        return;
      } catch (error) {
        if (!isNotSupported(error)) throw error;
        this.logger.debug(`${this.name}: channel ${channel} takes no TextOverlayList PUT; writing overlays one by one`);
        this.noBatch.add(channel);
      }
    }
    await Promise.all(overlays.map((overlay) => this.setTextOverlay(channel, overlay, o)));
  }

  async snapshot(channel: number, o: CallOptions = {}): Promise<Buffer> {
    const paths = [`/ISAPI/Streaming/channels/${channel}01/picture`, `/ISAPI/ContentMgmt/StreamingProxy/channels/${channel}01/picture`];
    if (this.usePictureProxy) paths.reverse();
    for (let attempt = 0; ; attempt++) {
      const path = paths[0] ?? '';
      const response = await this.http.request({ method: 'GET', path, ...callOpts(o), maxBodyBytes: MAX_JPEG_BYTES });
      const error = isapiErrorFrom(response.status, response.body, path);
      // NVRs answer the camera path with badXmlContent (hikvision_next): switch to the proxy path once.
      if (error !== undefined && attempt === 0 && (error.statusCode === 6 || error.subStatusCode === 'notSupport')) {
        paths.reverse();
        this.usePictureProxy = !this.usePictureProxy;
        continue;
      }
      if (error !== undefined && error.statusCode === 3 && attempt < 2) continue;
      if (error !== undefined) throw error;
      assertIsapiOk(response.status, response.body, path);
      if (response.body[0] !== 0xff || response.body[1] !== 0xd8) {
        const type = String(response.headers['content-type'] ?? 'no Content-Type');
        throw new ProtocolError(`${path}: the answer is not a JPEG (HTTP ${response.status}, ${type}, ${response.body.length} bytes)`);
      }
      return response.body;
    }
  }

  /** The shared alert stream's state now; `on('event-stream', ...)` reports each change. */
  get eventStreamStatus(): Readonly<EventStreamStatus> {
    return this.hub.status;
  }

  /**
   * Camera events from the one shared alert stream. Ends only when the signal aborts or close() is
   * called: failures (rejected credentials included) are retried and reported as `event-stream` status.
   */
  events(o: { signal?: AbortSignal } = {}): AsyncIterable<CameraEvent> {
    return this.hub.subscribe(o.signal);
  }

  async startRecording(track: number, o: CallOptions = {}): Promise<void> {
    await this.call('PUT', `/ISAPI/ContentMgmt/record/control/manual/start/tracks/${track}`, o);
  }

  async stopRecording(track: number, o: CallOptions = {}): Promise<void> {
    await this.call('PUT', `/ISAPI/ContentMgmt/record/control/manual/stop/tracks/${track}`, o);
  }

  /**
   * Every recording in the span, paging while the device says MORE (same searchID). Times go out
   * and come back in the device's clock (timeZone); the matches carry real instants.
   */
  async searchRecordings(q: RecordingQuery, o: CallOptions = {}): Promise<RecordingMatch[]> {
    const zone = this.timeZone;
    const matches = await this.searchPages({ ...q, from: toDeviceClock(q.from, zone), to: toDeviceClock(q.to, zone) }, o);
    return matches.map((m) => ({ ...m, startTime: fromDeviceClock(m.startTime, zone), endTime: fromDeviceClock(m.endTime, zone) }));
  }

  private async searchPages(q: RecordingQuery, o: CallOptions): Promise<RecordingMatch[]> {
    const searchId = randomUUID().toUpperCase();
    const out: RecordingMatch[] = [];
    for (let page = 0; page < MAX_SEARCH_PAGES; page++) {
      const body =
        `<?xml version="1.0" encoding="UTF-8"?>\n<CMSearchDescription>\n<searchID>${searchId}</searchID>\n` +
        `<trackList><trackID>${q.track ?? 101}</trackID></trackList>\n` +
        `<timeSpanList><timeSpan><startTime>${isapiTime(q.from)}</startTime><endTime>${isapiTime(q.to)}</endTime></timeSpan></timeSpanList>\n` +
        `<maxResults>40</maxResults>\n<searchResultPostion>${out.length}</searchResultPostion>\n` +
        `<metadataList><metadataDescriptor>//recordType.meta.std-cgi.com</metadataDescriptor></metadataList>\n</CMSearchDescription>\n`;
      const response = await this.call('POST', '/ISAPI/ContentMgmt/search', o, body);
      const result = parseSearchResult(response.body.toString('utf8'), '/ISAPI/ContentMgmt/search');
      out.push(...result.matches);
      if (result.status !== 'MORE' || result.matches.length === 0) return out;
    }
    throw new ProtocolError(`${this.name}: recording search still said MORE after ${MAX_SEARCH_PAGES} pages`);
  }

  /** Streams a recording to `dest.part`, then renames it: a partial file is never taken for a whole one. */
  async downloadRecording(playbackURI: string, destPath: string, o: DownloadOptions = {}): Promise<{ path: string; bytes: number }> {
    const response = await this.openRecording(playbackURI, o);
    return this.saveDownload(response, destPath, '/ISAPI/ContentMgmt/download', o);
  }

  /**
   * The device's answer to a download request, media only (a refusal is thrown), for callers that
   * write the body themselves (resume with `headers: { range }`: the answer is 206 or, from a device
   * that ignores Range, 200 with the whole recording).
   */
  async openRecording(playbackURI: string, o: CallOptions & { headers?: Record<string, string> } = {}): Promise<HttpStreamResponse> {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<downloadRequest version="1.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n<playbackURI>${escapeXml(playbackURI)}</playbackURI>\n</downloadRequest>\n`;
    const path = '/ISAPI/ContentMgmt/download';
    const send = (method: 'GET' | 'POST'): Promise<HttpStreamResponse> =>
      this.http.stream({ method, path, headers: { ...XML_HEADERS, ...o.headers }, body, ...callOpts(o), idleTimeoutMs: o.timeoutMs ?? 30_000 });
    // Most clients send GET with the XML body; a device that takes POST only says 405, 403 or
    // invalidOperation (isapi.md), the latter with any HTTP status, 200 included.
    let response = await send('GET');
    let refusal = await downloadRefusal(response, path);
    if (refusal !== undefined && refusesGet(refusal)) {
      this.logger.debug(`${this.name}: download by GET refused (${refusal.error.message}); trying POST`);
      response = await send('POST');
      refusal = await downloadRefusal(response, path);
    }
    if (refusal !== undefined) throw refusal.error;
    return response;
  }

  private async saveDownload(response: HttpStreamResponse, destPath: string, path: string, o: DownloadOptions): Promise<{ path: string; bytes: number }> {
    const length = Number(response.headers['content-length']);
    const total = Number.isFinite(length) && length > 0 ? length : undefined;
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        o.onProgress?.(total === undefined ? { bytes } : { bytes, total });
        callback(null, chunk);
      },
    });
    const part = `${destPath}.part`;
    try {
      await pipeline(response.body, counter, createWriteStream(part), ...(o.signal === undefined ? [] : [{ signal: o.signal }]));
      if (total !== undefined && bytes !== total) throw new ProtocolError(`${this.name}: download of ${path} got ${bytes} of ${total} bytes`);
      await rename(part, destPath);
    } catch (error) {
      await rm(part, { force: true });
      throw this.downloadError(error, path, bytes, total, o.signal);
    }
    return { path: destPath, bytes };
  }

  /**
   * What a broken-off download throws: the caller's abort and a file system error as they are, the
   * network's (connection dropped mid-body, body stalled) as a ConnectionError/TimeoutError saying how far it got.
   */
  private downloadError(error: unknown, path: string, bytes: number, total: number | undefined, signal: AbortSignal | undefined): Error {
    if (signal?.aborted === true) return abortErrorFrom(signal);
    if (error instanceof CamflowError) return error;
    const e = ensureError(error);
    if ((e as NodeJS.ErrnoException).syscall !== undefined) return e;
    const message = `${this.name}: download of ${path} broke off after ${bytes}${total === undefined ? '' : ` of ${total}`} bytes: ${e.message}`;
    return (e as { code?: unknown }).code === 'UND_ERR_BODY_TIMEOUT' ? new TimeoutError(message, { cause: e }) : new ConnectionError(message, { cause: e });
  }

  /** Idempotent: closes the alert stream and every pooled connection. */
  async close(): Promise<void> {
    await this.hub.close();
    await this.http.close();
  }

  private async putOverlayList(channel: number, overlays: TextOverlayUpdate[], o: CallOptions): Promise<void> {
    const path = overlaysPath(channel);
    const doc = this.listDocs.get(channel) ?? new OverlayDocument(await this.getXml(path, 'TextOverlayList', o));
    const missing = overlays.find((overlay) => !doc.has(overlay.id));
    if (missing !== undefined) throw new ProtocolError(`${this.name}: channel ${channel} has no text overlay ${missing.id}`);
    try {
      await this.call('PUT', path, o, doc.body(overlays));
    } catch (error) {
      this.listDocs.delete(channel);
      throw error;
    }
    doc.apply(overlays);
    this.listDocs.set(channel, doc);
    for (const overlay of overlays) this.singleDocs.get(`${channel}/${overlay.id}`)?.apply([overlay]);
  }

  private async checkLength(channel: number, overlays: readonly TextOverlayUpdate[], o: CallOptions): Promise<void> {
    const limit = this.textLimits.get(channel) ?? (await this.textLimit(channel, o));
    for (const overlay of overlays) {
      // Characters are code points; there are never more of them than UTF-16 units, so only a text
      // longer than the limit in units needs counting.
      if (overlay.text.length <= limit) continue;
      const length = [...overlay.text].length;
      if (length > limit) throw new TextTooLongError(overlay.id, length, limit, this.name);
    }
  }

  private async getXml(path: string, rootName: string, o: CallOptions): Promise<XmlElement> {
    const response = await this.call('GET', path, o);
    return expectRoot(parseXml(response.body.toString('utf8')), rootName, path);
  }

  private async call(method: string, path: string, o: CallOptions, body?: string): Promise<HttpResponse> {
    const response = await this.http.request({
      method,
      path,
      ...(body === undefined ? {} : { body, headers: XML_HEADERS }),
      ...callOpts(o),
      maxBodyBytes: MAX_XML_BYTES,
    });
    assertIsapiOk(response.status, response.body, path);
    return response;
  }
}

/** A download answer that carries no media, read in full (it is small), and the error it stands for. */
async function downloadRefusal(response: HttpStreamResponse, path: string): Promise<{ status: number; error: Error } | undefined> {
  const type = String(response.headers['content-type'] ?? '');
  if ((response.status === 200 || response.status === 206) && !type.includes('xml')) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= MAX_ERROR_BODY_BYTES) {
      response.body.destroy();
      break;
    }
  }
  const error =
    isapiErrorFrom(response.status, Buffer.concat(chunks), path) ??
    new ProtocolError(`${path}: HTTP ${response.status}${type === '' ? '' : ` (${type})`} instead of the recording`);
  return { status: response.status, error };
}

function refusesGet(refusal: { status: number; error: Error }): boolean {
  if (refusal.status === 405 || refusal.status === 403) return true;
  return refusal.error instanceof IsapiError && refusal.error.subStatusCode.toLowerCase() === 'invalidoperation';
}

function callOpts(o: CallOptions): { signal?: AbortSignal; timeoutMs?: number } {
  return { ...(o.signal === undefined ? {} : { signal: o.signal }), ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) };
}
