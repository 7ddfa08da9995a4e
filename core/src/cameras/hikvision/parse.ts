/** ISAPI documents to typed values (pure; fields by local name, namespaces ignored). */
import { ProtocolError } from '../../errors.js';
import type { CameraEvent, DeviceInfo, RecordingMatch, TextOverlay, TextOverlayUpdate } from './types.js';
import { childElements, childText, findChild, localName, parseXml, setChildText, textContent, type XmlElement } from './xml.js';

export function expectRoot(root: XmlElement, name: string, path: string): XmlElement {
  if (localName(root) !== name) throw new ProtocolError(`${path}: expected <${name}>, got <${localName(root)}>`);
  return root;
}

export function parseDeviceInfo(root: XmlElement): DeviceInfo {
  const extra: Record<string, string> = {};
  for (const element of childElements(root)) {
    if (childElements(element).length === 0) extra[localName(element)] = textContent(element);
  }
  const take = (name: string): string => {
    const value = extra[name] ?? '';
    delete extra[name];
    return value;
  };
  const info: DeviceInfo = {
    deviceName: take('deviceName'),
    deviceID: take('deviceID'),
    model: take('model'),
    serialNumber: take('serialNumber'),
    macAddress: take('macAddress'),
    firmwareVersion: take('firmwareVersion'),
    extra,
  };
  for (const name of ['firmwareReleasedDate', 'deviceType', 'hardwareVersion', 'manufacturer'] as const) {
    if (extra[name] !== undefined) info[name] = take(name);
  }
  return info;
}

export function parseTextOverlay(element: XmlElement): TextOverlay {
  const id = Number(childText(element, 'id'));
  if (!Number.isInteger(id)) throw new ProtocolError('TextOverlay without a numeric <id>');
  const overlay: TextOverlay = { id, enabled: childText(element, 'enabled') === 'true', text: childText(element, 'displayText') ?? '' };
  const x = Number(childText(element, 'positionX'));
  const y = Number(childText(element, 'positionY'));
  if (Number.isFinite(x) && childText(element, 'positionX') !== undefined) overlay.positionX = x;
  if (Number.isFinite(y) && childText(element, 'positionY') !== undefined) overlay.positionY = y;
  return overlay;
}

/** Changes text/enabled in a TextOverlay element in place, keeping every other child. */
export function applyOverlayUpdate(element: XmlElement, update: TextOverlayUpdate): void {
  setChildText(element, 'displayText', update.text);
  if (update.enabled !== undefined) setChildText(element, 'enabled', String(update.enabled));
}

/** An EventNotificationAlert, or undefined for a part that is not one. Tolerates a raw `&`. */
export function parseEventXml(text: string): CameraEvent | undefined {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch {
    return undefined;
  }
  if (localName(root) !== 'EventNotificationAlert') return undefined;
  const type = (childText(root, 'eventType') ?? '').toLowerCase();
  if (type === '') return undefined;
  const state = (childText(root, 'eventState') ?? 'active').toLowerCase() === 'inactive' ? 'inactive' : 'active';
  const channelText = childText(root, 'channelID') ?? childText(root, 'dynChannelID') ?? childText(root, 'inputIOPortID') ?? '1';
  const channel = Number.isInteger(Number(channelText)) && channelText !== '' ? Number(channelText) : 1;
  const parsedTime = Date.parse(childText(root, 'dateTime') ?? '');
  const event: CameraEvent = { type, state, channel, time: Number.isNaN(parsedTime) ? new Date() : new Date(parsedTime) };
  const description = childText(root, 'eventDescription');
  if (description !== undefined && description !== '') event.description = description;
  return event;
}

export interface SearchPage {
  status: string;
  matches: RecordingMatch[];
}

export function parseSearchResult(text: string, path: string): SearchPage {
  const root = expectRoot(parseXml(text), 'CMSearchResult', path);
  const status = (childText(root, 'responseStatusStrg') ?? '').toUpperCase();
  const matches: RecordingMatch[] = [];
  for (const item of childElements(findChild(root, 'matchList') ?? root, 'searchMatchItem')) {
    const span = findChild(item, 'timeSpan');
    const playbackURI = childText(findChild(item, 'mediaSegmentDescriptor') ?? item, 'playbackURI') ?? '';
    const match: RecordingMatch = {
      trackId: Number(childText(item, 'trackID')),
      startTime: new Date(childText(span ?? item, 'startTime') ?? ''),
      endTime: new Date(childText(span ?? item, 'endTime') ?? ''),
      playbackURI,
    };
    const size = /[?&]size=(\d+)/.exec(playbackURI)?.[1];
    if (size !== undefined) match.size = Number(size);
    matches.push(match);
  }
  return { status, matches };
}

/** ISAPI time: `YYYY-MM-DDTHH:MM:SSZ` (no milliseconds). */
export function isapiTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
