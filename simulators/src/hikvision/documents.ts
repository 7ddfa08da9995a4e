/** XML documents in the shapes real Hikvision devices send (isapi.md, hikvision_next fixtures). */
import { escapeXml } from './xml.js';
import type { SimulatedOverlay } from './types.js';

const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface DeviceFacts {
  deviceName: string;
  deviceID: string;
  model: string;
  serialNumber: string;
  macAddress: string;
  firmwareVersion: string;
}

export function deviceInfoXml(ns: string, d: DeviceFacts): string {
  const e = escapeXml;
  return (
    `${DECL}<DeviceInfo version="2.0" xmlns="${ns}">\n` +
    `<deviceName>${e(d.deviceName)}</deviceName>\n<deviceID>${e(d.deviceID)}</deviceID>\n` +
    `<deviceDescription>IPCamera</deviceDescription>\n<deviceLocation>hangzhou</deviceLocation>\n` +
    `<systemContact>Hikvision.China</systemContact>\n<model>${e(d.model)}</model>\n` +
    `<serialNumber>${e(d.serialNumber)}</serialNumber>\n<macAddress>${e(d.macAddress)}</macAddress>\n` +
    `<firmwareVersion>${e(d.firmwareVersion)}</firmwareVersion>\n<firmwareReleasedDate>build 230601</firmwareReleasedDate>\n` +
    `<encoderVersion>V7.3</encoderVersion>\n<encoderReleasedDate>build 230601</encoderReleasedDate>\n` +
    `<bootVersion>V1.3.4</bootVersion>\n<bootReleasedDate>100316</bootReleasedDate>\n` +
    `<hardwareVersion>0x0</hardwareVersion>\n<deviceType>IPCamera</deviceType>\n<telecontrolID>88</telecontrolID>\n` +
    `<supportBeep>false</supportBeep>\n<supportVideoLoss>false</supportVideoLoss>\n` +
    `<firmwareVersionInfo>B-R-H5-0</firmwareVersionInfo>\n<manufacturer>hikvision</manufacturer>\n` +
    `</DeviceInfo>\n`
  );
}

function overlayItemXml(o: SimulatedOverlay, list: boolean): string {
  return (
    `<TextOverlay${list ? '' : ' version="2.0" xmlns="__NS__"'}>\n<id>${o.id}</id>\n<enabled>${o.enabled}</enabled>\n` +
    `<positionX>${o.positionX}</positionX>\n<positionY>${o.positionY}</positionY>\n` +
    `<displayText>${escapeXml(o.text)}</displayText>\n` +
    (list ? `<isPersistentText>true</isPersistentText>\n` : `<directAngle></directAngle>\n`) +
    `</TextOverlay>\n`
  );
}

export function textOverlayXml(ns: string, o: SimulatedOverlay): string {
  return DECL + overlayItemXml(o, false).replace('__NS__', ns);
}

export function textOverlayListXml(ns: string, list: readonly SimulatedOverlay[]): string {
  return `${DECL}<TextOverlayList version="2.0" xmlns="${ns}" size="${list.length}">\n${list.map((o) => overlayItemXml(o, true)).join('')}</TextOverlayList>\n`;
}

export function textCapabilitiesXml(ns: string, count: number, maxText: number): string {
  return (
    `${DECL}<TextOverlayList version="2.0" xmlns="${ns}" size="${count}">\n<TextOverlay>\n` +
    `<id min="1" max="${count}"></id>\n<enabled opt="true,false"></enabled>\n` +
    `<positionX min="0" max="704"></positionX>\n<positionY min="0" max="576"></positionY>\n` +
    `<displayText min="0" max="${maxText}"></displayText>\n</TextOverlay>\n</TextOverlayList>\n`
  );
}

export interface Status {
  statusCode: number;
  statusString: string;
  subStatusCode: string;
}

export const OK: Status = { statusCode: 1, statusString: 'OK', subStatusCode: 'ok' };
export const NOT_SUPPORT: Status = { statusCode: 4, statusString: 'Invalid Operation', subStatusCode: 'notSupport' };
export const INVALID_OPERATION: Status = { statusCode: 4, statusString: 'Invalid Operation', subStatusCode: 'invalidOperation' };
export const BAD_XML_FORMAT: Status = { statusCode: 5, statusString: 'Invalid XML Format', subStatusCode: 'badXmlFormat' };
export const BAD_XML_CONTENT: Status = { statusCode: 6, statusString: 'Invalid XML Content', subStatusCode: 'badXmlContent' };
export const BAD_PARAMETERS: Status = { statusCode: 6, statusString: 'Invalid XML Content', subStatusCode: 'badParameters' };
export const DEVICE_ERROR: Status = { statusCode: 3, statusString: 'Device Error', subStatusCode: 'deviceError' };

export function responseStatusXml(ns: string, url: string, s: Status): string {
  return (
    `${DECL}<ResponseStatus version="2.0" xmlns="${ns}">\n<requestURL>${escapeXml(url)}</requestURL>\n` +
    `<statusCode>${s.statusCode}</statusCode>\n<statusString>${s.statusString}</statusString>\n` +
    `<subStatusCode>${s.subStatusCode}</subStatusCode>\n</ResponseStatus>\n`
  );
}

export function userCheckXml(locked: boolean, unlockInS: number): string {
  return (
    `${DECL}<userCheck>\n<statusValue>401</statusValue>\n<statusString>Unauthorized</statusString>\n` +
    (locked ? `<lockStatus>lock</lockStatus>\n<unlockTime>${unlockInS}</unlockTime>\n` : '') +
    `</userCheck>\n`
  );
}

export interface AlertFacts {
  type: string;
  state: 'active' | 'inactive';
  channel: number;
  postCount: number;
  description: string;
  /** Firmware quirk: an unescaped `&` in the channel name. */
  rawAmpersand: boolean;
  macAddress: string;
}

export function eventAlertXml(ns: string, a: AlertFacts, now = new Date()): string {
  const channelName = a.rawAmpersand ? 'Front & Drive' : 'Camera 01';
  return (
    `<EventNotificationAlert version="2.0" xmlns="${ns}">\n<ipAddress>127.0.0.1</ipAddress>\n<portNo>80</portNo>\n` +
    `<protocol>HTTP</protocol>\n<macAddress>${a.macAddress}</macAddress>\n<channelID>${a.channel}</channelID>\n` +
    `<dateTime>${localIso(now)}</dateTime>\n<activePostCount>${a.postCount}</activePostCount>\n` +
    `<eventType>${escapeXml(a.type)}</eventType>\n<eventState>${a.state}</eventState>\n` +
    `<eventDescription>${escapeXml(a.description)}</eventDescription>\n<channelName>${channelName}</channelName>\n` +
    `</EventNotificationAlert>\n`
  );
}

/** ISO 8601 with a numeric offset, as cameras write it (`2022-01-31T13:53:05+01:00`); here +00:00. */
function localIso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

export interface StoredRecording {
  track: number;
  start: Date;
  end: Date;
  name: string;
  size: number;
}

export function playbackUri(r: StoredRecording): string {
  const t = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;
  return `rtsp://127.0.0.1/Streaming/tracks/${r.track}/?starttime=${t(r.start)}&endtime=${t(r.end)}&name=${r.name}&size=${r.size}`;
}

export function searchResultXml(ns: string, searchId: string, status: 'OK' | 'MORE' | 'NO MATCHES', page: readonly StoredRecording[]): string {
  const t = (d: Date): string => `${d.toISOString().slice(0, 19)}Z`;
  const items = page
    .map(
      (r) =>
        `<searchMatchItem>\n<sourceID>{0000000000-0000-0000-0000-000000000000}</sourceID>\n<trackID>${r.track}</trackID>\n` +
        `<timeSpan>\n<startTime>${t(r.start)}</startTime>\n<endTime>${t(r.end)}</endTime>\n</timeSpan>\n` +
        `<mediaSegmentDescriptor>\n<contentType>video</contentType>\n<codecType>H.264-BP</codecType>\n` +
        `<playbackURI>${escapeXml(playbackUri(r))}</playbackURI>\n</mediaSegmentDescriptor>\n` +
        `<metadataMatches>\n<metadataDescriptor>recordType.meta.std-cgi.com/CMR</metadataDescriptor>\n</metadataMatches>\n` +
        `</searchMatchItem>\n`,
    )
    .join('');
  return (
    `${DECL}<CMSearchResult version="2.0" xmlns="${ns}">\n<searchID>${escapeXml(searchId)}</searchID>\n` +
    `<responseStatus>${status === 'NO MATCHES' ? 'false' : 'true'}</responseStatus>\n` +
    `<responseStatusStrg>${status}</responseStatusStrg>\n<numOfMatches>${page.length}</numOfMatches>\n` +
    `<matchList>\n${items}</matchList>\n</CMSearchResult>\n`
  );
}
