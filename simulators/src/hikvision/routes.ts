/** The ISAPI resources of the simulated camera: each handler takes the parsed request, returns an answer. */
import * as doc from './documents.js';
import { RECORDING_CLIP, rangeAnswer, recordingBody } from './media.js';
import type { SimulatedOverlay } from './types.js';
import { child, childText, parseXmlStrict, XmlSyntaxError, type SimElement } from './xml.js';

export interface Answer {
  status: number;
  type: string;
  body: string | Buffer;
  /** Extra response headers (Content-Range). */
  headers?: Record<string, string>;
  /** A recording's bytes: counted in the download stats and paced by the download throttle. */
  download?: boolean;
}

export interface SimState {
  ns: string;
  facts: doc.DeviceFacts;
  channels: number;
  maxTextLength: number;
  /** The firmware has no overlay capabilities resource: its web server answers a plain HTML 404. */
  noOverlayCapabilities: boolean;
  batchOverlays: boolean;
  nvr: boolean;
  /** GET with a body on /ISAPI/ContentMgmt/download answers invalidOperation; POST works. */
  downloadPostOnly: boolean;
  /** Answer `Range: bytes=N-` with 206 (opt-in: isapi.md does not say devices do). */
  honourRange: boolean;
  /** ResponseStatus errors go out with HTTP 200 (a firmware quirk). */
  errorsWithHttp200: boolean;
  overlays: Map<number, SimulatedOverlay[]>;
  recordings: doc.StoredRecording[];
  recordingTracks: Set<number>;
  searchPageSize: number;
  /** searchIDs that started at position 0, so paging can be checked to keep its searchID. */
  searches: Set<string>;
  /** What the picture resources serve (default the built-in test pattern). */
  snapshot: Buffer;
}

export interface SimRequest {
  method: string;
  path: string;
  url: string;
  body: string;
  /** The Range header, if any. */
  range?: string;
}

const XML = 'application/xml; charset="UTF-8"';

export function xml(status: number, body: string): Answer {
  return { status, type: XML, body };
}

export function statusAnswer(state: SimState, url: string, httpStatus: number, s: doc.Status): Answer {
  const status = state.errorsWithHttp200 && s.statusCode > 1 ? 200 : httpStatus;
  return xml(status, doc.responseStatusXml(state.ns, url, s));
}

type Handler = (state: SimState, req: SimRequest, m: RegExpExecArray) => Answer;

const ROUTES: [string, RegExp, Handler][] = [
  ['GET', /^\/ISAPI\/System\/deviceInfo$/, (s) => xml(200, doc.deviceInfoXml(s.ns, s.facts))],
  ['GET', /^\/ISAPI\/System\/Video\/inputs\/channels\/(\d+)\/overlays\/text\/capabilities$/, getCapabilities],
  ['GET', /^\/ISAPI\/System\/Video\/inputs\/channels\/(\d+)\/overlays\/text$/, getOverlayList],
  ['PUT', /^\/ISAPI\/System\/Video\/inputs\/channels\/(\d+)\/overlays\/text$/, putOverlayList],
  ['GET', /^\/ISAPI\/System\/Video\/inputs\/channels\/(\d+)\/overlays\/text\/(\d+)$/, getOverlay],
  ['PUT', /^\/ISAPI\/System\/Video\/inputs\/channels\/(\d+)\/overlays\/text\/(\d+)$/, putOverlay],
  ['GET', /^\/ISAPI\/Streaming\/channels\/(\d+)\/picture$/, (s, r, m) => picture(s, r, m, false)],
  ['GET', /^\/ISAPI\/ContentMgmt\/StreamingProxy\/channels\/(\d+)\/picture$/, (s, r, m) => picture(s, r, m, true)],
  ['PUT', /^\/ISAPI\/ContentMgmt\/record\/control\/manual\/(start|stop)\/tracks\/(\d+)$/, manualRecord],
  ['POST', /^\/ISAPI\/ContentMgmt\/search$/, search],
  ['GET', /^\/ISAPI\/ContentMgmt\/download$/, download],
  ['POST', /^\/ISAPI\/ContentMgmt\/download$/, download],
];

/** Finds and runs the handler; unknown resources and methods answer as the device does. */
export function route(state: SimState, req: SimRequest): Answer {
  let pathKnown = false;
  for (const [method, pattern, handler] of ROUTES) {
    const m = pattern.exec(req.path);
    if (m === null) continue;
    pathKnown = true;
    if (method === req.method) return handler(state, req, m);
  }
  return pathKnown
    ? statusAnswer(state, req.path, 405, doc.INVALID_OPERATION)
    : statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
}

function overlaysOf(state: SimState, m: RegExpExecArray): SimulatedOverlay[] | undefined {
  return state.overlays.get(Number(m[1]));
}

function getCapabilities(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const list = overlaysOf(state, m);
  if (state.noOverlayCapabilities) return { status: 404, type: 'text/html', body: '<html><head><title>404 Not Found</title></head><body>Not Found</body></html>' };
  if (list === undefined) return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  return xml(200, doc.textCapabilitiesXml(state.ns, list.length, state.maxTextLength));
}

function getOverlayList(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const list = overlaysOf(state, m);
  if (list === undefined) return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  return xml(200, doc.textOverlayListXml(state.ns, list));
}

function getOverlay(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const overlay = overlaysOf(state, m)?.find((o) => o.id === Number(m[2]));
  if (overlay === undefined) return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  return xml(200, doc.textOverlayXml(state.ns, overlay));
}

/** Parses the body strictly; a syntax error is the device's `badXmlFormat`. */
function parseBody(state: SimState, req: SimRequest, rootName: string): SimElement | Answer {
  let root: SimElement;
  try {
    root = parseXmlStrict(req.body);
  } catch (error) {
    if (error instanceof XmlSyntaxError) return statusAnswer(state, req.path, 400, doc.BAD_XML_FORMAT);
    throw error;
  }
  if (root.name !== rootName) return statusAnswer(state, req.path, 400, doc.BAD_XML_CONTENT);
  return root;
}

/** Validates one TextOverlay element against the stored overlay; returns the new values or an error. */
function validateOverlay(state: SimState, element: SimElement, current: SimulatedOverlay | undefined): SimulatedOverlay | doc.Status {
  if (current === undefined) return doc.BAD_PARAMETERS;
  const enabled = childText(element, 'enabled');
  const text = childText(element, 'displayText');
  if (enabled !== undefined && enabled !== 'true' && enabled !== 'false') return doc.BAD_PARAMETERS;
  if (text !== undefined && [...text].length > state.maxTextLength) return doc.BAD_PARAMETERS;
  const number = (name: string, fallback: number): number => {
    const value = childText(element, name);
    return value === undefined || !/^\d+$/.test(value) ? fallback : Number(value);
  };
  return {
    id: current.id,
    enabled: enabled === undefined ? current.enabled : enabled === 'true',
    text: text ?? current.text,
    positionX: number('positionX', current.positionX),
    positionY: number('positionY', current.positionY),
  };
}

function putOverlay(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const list = overlaysOf(state, m);
  const index = list?.findIndex((o) => o.id === Number(m[2])) ?? -1;
  if (list === undefined || index === -1) return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  const root = parseBody(state, req, 'TextOverlay');
  if (!('children' in root)) return root;
  if (childText(root, 'id') !== m[2]) return statusAnswer(state, req.path, 400, doc.BAD_PARAMETERS);
  const next = validateOverlay(state, root, list[index]);
  if ('statusCode' in next) return statusAnswer(state, req.path, 400, next);
  list[index] = next;
  return statusAnswer(state, req.path, 200, doc.OK);
}

function putOverlayList(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const list = overlaysOf(state, m);
  if (list === undefined) return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  if (!state.batchOverlays) return statusAnswer(state, req.path, 403, doc.NOT_SUPPORT);
  const root = parseBody(state, req, 'TextOverlayList');
  if (!('children' in root)) return root;
  const updates: SimulatedOverlay[] = [];
  for (const element of root.children) {
    if (element.name !== 'TextOverlay') return statusAnswer(state, req.path, 400, doc.BAD_XML_CONTENT);
    const next = validateOverlay(state, element, list.find((o) => String(o.id) === childText(element, 'id')));
    if ('statusCode' in next) return statusAnswer(state, req.path, 400, next);
    updates.push(next);
  }
  // All or nothing, like the device's single transaction.
  for (const next of updates) list[list.findIndex((o) => o.id === next.id)] = next;
  return statusAnswer(state, req.path, 200, doc.OK);
}

function picture(state: SimState, req: SimRequest, m: RegExpExecArray, proxy: boolean): Answer {
  const id = Number(m[1]);
  const channel = Math.floor(id / 100);
  if (channel < 1 || channel > state.channels || (id % 100 !== 1 && id % 100 !== 2)) {
    return statusAnswer(state, req.path, 404, doc.NOT_SUPPORT);
  }
  // An NVR answers the camera path with badXmlContent; its proxy path serves the picture (hikvision_next).
  if (state.nvr !== proxy) return statusAnswer(state, req.path, 400, doc.BAD_XML_CONTENT);
  return { status: 200, type: 'image/jpeg', body: state.snapshot };
}

function validTrack(state: SimState, track: number): boolean {
  const channel = Math.floor(track / 100);
  return channel >= 1 && channel <= state.channels && (track % 100 === 1 || track % 100 === 2);
}

function manualRecord(state: SimState, req: SimRequest, m: RegExpExecArray): Answer {
  const track = Number(m[2]);
  if (!validTrack(state, track)) return statusAnswer(state, req.path, 400, doc.BAD_PARAMETERS);
  if (m[1] === 'start') state.recordingTracks.add(track);
  else state.recordingTracks.delete(track);
  return statusAnswer(state, req.path, 200, doc.OK);
}

function search(state: SimState, req: SimRequest): Answer {
  const root = parseBody(state, req, 'CMSearchDescription');
  if (!('children' in root)) return root;
  const searchId = childText(root, 'searchID') ?? '';
  const trackParent = child(root, 'trackList') ?? child(root, 'trackIDList');
  const tracks = (trackParent?.children ?? []).filter((c) => c.name === 'trackID').map((c) => Number(c.text));
  const span = child(child(root, 'timeSpanList') ?? root, 'timeSpan');
  const from = Date.parse(childText(span ?? root, 'startTime') ?? '');
  const to = Date.parse(childText(span ?? root, 'endTime') ?? '');
  const position = Number(childText(root, 'searchResultPostion') ?? childText(root, 'searchResultPosition') ?? '0');
  const max = Number(childText(root, 'maxResults') ?? '40');
  if (searchId === '' || tracks.length === 0 || Number.isNaN(from) || Number.isNaN(to) || !(max > 0) || !(position >= 0)) {
    return statusAnswer(state, req.path, 400, doc.BAD_PARAMETERS);
  }
  if (position === 0) state.searches.add(searchId);
  else if (!state.searches.has(searchId)) return statusAnswer(state, req.path, 400, doc.BAD_PARAMETERS);
  const all = state.recordings.filter((r) => tracks.includes(r.track) && r.end.getTime() > from && r.start.getTime() < to);
  const page = all.slice(position, position + Math.min(max, state.searchPageSize));
  const status = all.length === 0 ? 'NO MATCHES' : position + page.length < all.length ? 'MORE' : 'OK';
  return xml(200, doc.searchResultXml(state.ns, searchId, status, page));
}

function download(state: SimState, req: SimRequest): Answer {
  if (state.downloadPostOnly && req.method === 'GET') return statusAnswer(state, req.path, 403, doc.INVALID_OPERATION);
  const root = parseBody(state, req, 'downloadRequest');
  if (!('children' in root)) return root;
  const uri = childText(root, 'playbackURI') ?? '';
  const name = /[?&]name=([^&]+)/.exec(uri)?.[1];
  const recording = state.recordings.find((r) => r.name === name);
  if (recording === undefined) return statusAnswer(state, req.path, 404, doc.BAD_PARAMETERS);
  const body = recordingBody(recording.size);
  const partial = state.honourRange ? rangeAnswer(body, req.range) : undefined;
  if (partial === undefined) return { status: 200, type: 'application/octet-stream', body, download: true };
  return { status: partial.status, type: 'application/octet-stream', body: partial.body, headers: { 'Content-Range': partial.contentRange }, download: true };
}

/** The stored recordings: `count` ten-minute clips on track 101 ending at `end`, `size` bytes each. */
export function makeRecordings(count: number, end: Date, size: number = RECORDING_CLIP.length): doc.StoredRecording[] {
  const out: doc.StoredRecording[] = [];
  for (let i = count; i >= 1; i--) {
    const start = new Date(end.getTime() - i * 600_000);
    out.push({ track: 101, start, end: new Date(start.getTime() + 600_000), name: `ch01_0${String(800000000 + i)}`, size });
  }
  return out;
}
