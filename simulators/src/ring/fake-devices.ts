/**
 * The device side of the fake Ring cloud: the REST endpoints ring-client-api 14.3.0 calls for cameras
 * (lib/rest-client.js, lib/ring-camera.js, lib/api.js), with the payload shapes of its ring-types.d.ts.
 * - POST clients_api/session                                  session for the hardware id
 * - GET  clients_api/ring_devices                             {doorbots, stickup_cams, ...}
 * - POST clients_api/doorbots/{id}/subscribe|motions_subscribe (RingCamera's constructor)
 * - GET  clients_api/locations/{loc}/devices/{id}/events      history, newest first, `limit`, `pagination_key`
 * - GET  clients_api/video_search/history?doorbot_id&date_from&date_to   recordings in a span (ms)
 * - GET  clients_api/dings/{ding}/share/play?disable_redirect=true  {url} signed, short-lived
 * - GET  snapshots/next/{id} (app-snaps.ring.com)             JPEG with x-time-millis
 * - GET  /media/{ding}.mp4?sig=...                            the recording (the signed URL), Range honoured
 * Requests need a valid bearer access token (401 otherwise, which makes the library refresh).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface FakeRingDeviceOptions {
  id: number;
  description: string;
  /** Doorbells are listed under `doorbots` and can ring; others under `stickup_cams`. */
  doorbell: boolean;
  /** The JPEG served as the device's snapshot. */
  snapshot: Buffer;
  /** Battery percent for battery devices; undefined for wired ones. */
  battery?: number;
  offline?: boolean;
}

export interface FakeRingEventOptions {
  kind: 'ding' | 'motion' | 'on_demand';
  at?: Date;
  /** The MP4 Ring recorded; undefined while Ring is still processing it (no URL yet). */
  recording?: Buffer;
  person?: boolean;
  /** Length of the recording in seconds (video_search's `duration`). Default 20. */
  duration?: number;
}

export interface FakeRingEvent {
  id: string;
  deviceId: number;
  kind: FakeRingEventOptions['kind'];
  at: Date;
  recording?: Buffer;
  person: boolean;
  duration: number;
}

export const FAKE_LOCATION_ID = 'f7e8c9d0-0000-4000-8000-00000000cafe';

export class FakeRingDevices {
  readonly devices = new Map<number, FakeRingDeviceOptions>();
  /** Newest last. */
  readonly events: FakeRingEvent[] = [];
  /** Byte ranges served for recordings (`start-end` or `all`), to check resumes. */
  readonly mediaRanges: string[] = [];
  private readonly signatures = new Map<string, string>();
  private nextDing = 7_300_000_000_000_000_000n;

  constructor(private readonly origin: () => string) {}

  add(device: FakeRingDeviceOptions): void {
    this.devices.set(device.id, device);
  }

  /** Adds an event to the device's history (what the Ring app lists) and returns its ding id. */
  addEvent(deviceId: number, options: FakeRingEventOptions): FakeRingEvent {
    if (!this.devices.has(deviceId)) throw new Error(`no fake Ring device ${deviceId}`);
    this.nextDing += 1n + BigInt(Math.floor(Math.random() * 1000));
    const event: FakeRingEvent = {
      id: this.nextDing.toString(),
      deviceId,
      kind: options.kind,
      at: options.at ?? new Date(),
      person: options.person ?? false,
      duration: options.duration ?? 20,
      ...(options.recording === undefined ? {} : { recording: options.recording }),
    };
    this.events.push(event);
    this.events.sort((a, b) => a.at.getTime() - b.at.getTime());
    return event;
  }

  /** Answers the request when it is a device endpoint; false when it is not one of them. */
  handle(req: IncomingMessage, url: URL, res: ServerResponse): boolean {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let match: RegExpMatchArray | null;
    if (method === 'POST' && path === '/clients_api/session') {
      json(res, 201, { profile: { id: 4242, email: 'me@example.com', first_name: 'Fake', features: {} } });
    } else if (method === 'GET' && path === '/clients_api/ring_devices') {
      json(res, 200, this.ringDevices());
    } else if (method === 'POST' && (match = path.match(/^\/clients_api\/doorbots\/(\d+)\/(subscribe|motions_subscribe|unsubscribe|motions_unsubscribe)$/)) !== null) {
      if (!this.devices.has(Number(match[1]))) json(res, 404, { error: `doorbot ${match[1]} not found` });
      else json(res, 200, {});
    } else if (method === 'GET' && (match = path.match(/^\/clients_api\/locations\/([^/]+)\/devices\/(\d+)\/events$/)) !== null) {
      this.history(match[1] ?? '', Number(match[2]), url, res);
    } else if (method === 'GET' && path === '/clients_api/video_search/history') {
      this.videoSearch(url, res);
    } else if (method === 'GET' && (match = path.match(/^\/clients_api\/dings\/(\d+)\/(share\/play|recording)$/)) !== null) {
      this.recordingUrl(match[1] ?? '', res);
    } else if (method === 'GET' && (match = path.match(/^\/snapshots\/next\/(\d+)$/)) !== null) {
      this.snapshot(Number(match[1]), res);
    } else {
      return false;
    }
    return true;
  }

  /** The signed media URL (no bearer: the signature is the authorisation, as with Ring's S3 links). */
  handleMedia(req: IncomingMessage, url: URL, res: ServerResponse): boolean {
    const match = url.pathname.match(/^\/media\/(\d+)\.mp4$/);
    if (match === null || req.method !== 'GET') return false;
    const event = this.events.find((e) => e.id === match[1]);
    if (event?.recording === undefined || this.signatures.get(event.id) !== url.searchParams.get('sig')) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
      return true;
    }
    const body = event.recording;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range === null) {
      this.mediaRanges.push('all');
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length, 'accept-ranges': 'bytes' }).end(body);
      return true;
    }
    const start = Number(range[1]);
    const end = range[2] === '' ? body.length - 1 : Math.min(Number(range[2]), body.length - 1);
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
      return true;
    }
    this.mediaRanges.push(`${start}-${end}`);
    res
      .writeHead(206, { 'content-type': 'video/mp4', 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${body.length}`, 'accept-ranges': 'bytes' })
      .end(body.subarray(start, end + 1));
    return true;
  }

  private ringDevices(): Record<string, unknown[]> {
    const all = [...this.devices.values()].map((device) => deviceData(device));
    return {
      doorbots: all.filter((d) => d.kind.startsWith('doorbell')),
      stickup_cams: all.filter((d) => !d.kind.startsWith('doorbell')),
      authorized_doorbots: [],
      chimes: [],
      base_stations: [],
      beams_bridges: [],
      other: [],
    };
  }

  private history(location: string, deviceId: number, url: URL, res: ServerResponse): void {
    if (location !== FAKE_LOCATION_ID || !this.devices.has(deviceId)) return json(res, 404, { error: 'device not found' });
    const limit = Math.min(Number(url.searchParams.get('limit') ?? '50') || 50, 100);
    const older = url.searchParams.get('pagination_key');
    let newestFirst = this.events.filter((e) => e.deviceId === deviceId).reverse();
    const kind = url.searchParams.get('kind');
    if (kind !== null) newestFirst = newestFirst.filter((e) => e.kind === kind);
    if (older !== null) {
      const index = newestFirst.findIndex((e) => e.id === older);
      newestFirst = index < 0 ? [] : newestFirst.slice(index + 1);
    }
    const page = newestFirst.slice(0, limit);
    json(res, 200, {
      events: page.map((e) => ({
        created_at: e.at.toISOString(),
        cv_properties: { detection_type: e.person ? 'human' : null, person_detected: e.person ? true : null, stream_broken: null },
        ding_id: Number(e.id),
        ding_id_str: e.id,
        doorbot_id: e.deviceId,
        favorite: false,
        kind: e.kind,
        recorded: false,
        recording_status: e.recording === undefined ? 'audio_ready' : 'ready',
        state: e.kind === 'ding' ? 'completed' : 'timed_out',
      })),
      meta: { pagination_key: page.length === limit ? (page.at(-1)?.id ?? '') : '' },
    });
  }

  private videoSearch(url: URL, res: ServerResponse): void {
    const device = Number(url.searchParams.get('doorbot_id'));
    const from = Number(url.searchParams.get('date_from'));
    const to = Number(url.searchParams.get('date_to'));
    if (!this.devices.has(device) || !Number.isFinite(from) || !Number.isFinite(to)) return json(res, 400, { error: 'bad video search' });
    const found = this.events.filter((e) => e.deviceId === device && e.recording !== undefined && e.at.getTime() >= from && e.at.getTime() <= to);
    if (url.searchParams.get('order') === 'desc') found.reverse();
    json(res, 200, {
      video_search: found.map((e) => ({
        ding_id: e.id,
        created_at: e.at.getTime(),
        // The listed URLs are signed for a short time; clients ask share/play for a fresh one.
        hq_url: null,
        lq_url: `${this.origin()}/media/${e.id}.mp4?sig=expired`,
        preroll_duration: null,
        thumbnail_url: `${this.origin()}/media/${e.id}.jpg?sig=expired`,
        untranscoded_url: `${this.origin()}/media/${e.id}.mp4?sig=expired`,
        kind: e.kind,
        state: e.kind === 'ding' ? 'completed' : 'timed_out',
        had_subscription: true,
        favorite: false,
        duration: e.duration,
        cv_properties: { person_detected: e.person ? true : null, stream_broken: null, detection_type: e.person ? 'human' : null },
      })),
    });
  }

  private recordingUrl(ding: string, res: ServerResponse): void {
    const event = this.events.find((e) => e.id === ding);
    if (event === undefined) return json(res, 404, { error: `ding ${ding} not found` });
    if (event.recording === undefined) return json(res, 404, { error: 'recording is not ready' });
    const signature = randomBytes(8).toString('hex');
    this.signatures.set(event.id, signature);
    json(res, 200, { url: `${this.origin()}/media/${event.id}.mp4?sig=${signature}` });
  }

  private snapshot(deviceId: number, res: ServerResponse): void {
    const device = this.devices.get(deviceId);
    if (device === undefined) return json(res, 404, { error: 'device not found' });
    if (device.offline === true) return json(res, 404, { error: 'no snapshot' });
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': device.snapshot.length, 'x-time-millis': String(Date.now()) }).end(device.snapshot);
  }
}

interface DeviceData {
  id: number;
  kind: string;
  [key: string]: unknown;
}

function deviceData(device: FakeRingDeviceOptions): DeviceData {
  return {
    id: device.id,
    description: device.description,
    device_id: `a1b2c3d4e5${String(device.id).padStart(6, '0')}`,
    kind: device.doorbell ? 'doorbell_v4' : 'stickup_cam_v4',
    location_id: FAKE_LOCATION_ID,
    firmware_version: 'Up to Date',
    time_zone: 'Europe/Berlin',
    ...(device.battery === undefined ? { external_connection: true } : { battery_life: String(device.battery), battery_life_2: null }),
    alerts: { connection: device.offline === true ? 'offline' : 'online', ...(device.battery !== undefined && device.battery < 20 ? { battery: 'low' } : {}) },
    features: { motions_enabled: true, show_recordings: true },
    owned: true,
    settings: {
      motion_detection_enabled: true,
      power_mode: device.battery === undefined ? 'wired' : 'battery',
      chime_settings: device.doorbell ? { type: 0, enable: true, duration: 0 } : undefined,
      sheila_settings: { cv_processing_enabled: null, local_storage_enabled: null },
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
