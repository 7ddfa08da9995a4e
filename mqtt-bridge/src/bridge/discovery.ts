/**
 * Home Assistant device discovery as lookup tables and pure functions: a camera's description in,
 * `{topic, payload}` out. No I/O and no state, so every payload is asserted exactly in tests; the
 * publisher decides what actually goes out (only changes).
 *
 * Root keys use the device-discovery abbreviations (`dev`, `o`, `cmps`, `p`); component options use
 * their full names, which Home Assistant always accepts and which read without a table.
 */
import type { BridgeCommand, BridgeTopics, CameraTopics, CommandTarget } from './topics.js';
import { detectionComponents, pipelineComponents } from './discovery-pipeline.js';

import type { CameraDetails, CameraKind } from '@camflow/core';

/** The kinds come from core's camera interface; what the camera says of itself is absent until it first answers. */
export type { CameraDetails, CameraKind };

/** A text entity for one overlay: it sets a template value (`value.NAME`) or the whole text. */
export interface OverlayEntity {
  id: number;
  /** `value` when the template has exactly one `{{value.NAME}}`, else `text`. */
  mode: 'value' | 'text';
  /** The value's NAME in `value` mode. */
  valueName?: string;
  /**
   * Longest text this entity takes: the device's limit, less `reserved` in value mode (the value is
   * shown inside the template's own text).
   */
  max: number;
  /** Value mode: characters of the rendered template around the value. 0 (or absent) in text mode. */
  reserved?: number;
}

export interface CameraDescription {
  id: string;
  name: string;
  kind: CameraKind;
  details?: CameraDetails;
  overlays: readonly OverlayEntity[];
  /** Object detection runs on this camera's events: the labels it reports. */
  detection?: { labels: readonly string[] };
  /** The pipeline saves clips or downloads for this camera: a "Last clip" sensor. */
  clips?: boolean;
}

export interface Origin {
  name: string;
  sw: string;
  url?: string;
}

export interface DiscoveryContext {
  topics: BridgeTopics;
  origin: Origin;
  /**
   * What every device and entity id of this bridge instance starts with: `camflow` for the default
   * base topic (the ids existing installs have), `camflow_<base>` for another, so two bridges on one
   * broker never share a device or remove each other's.
   */
  idPrefix?: string;
  /** This bridge works a pipeline: its device gets the job and detection sensors. */
  pipeline?: boolean;
}

/** The id prefix of the bridge instance on `baseTopic`. */
export function instanceIdPrefix(baseTopic: string): string {
  const base = baseTopic.replace(/^\/+|\/+$/g, '');
  return base === 'camflow' ? 'camflow' : `camflow_${base.replace(/[^A-Za-z0-9_-]+/g, '_')}`;
}

/** The bridge's own device id (`camflow_bridge` for the default instance). */
export function bridgeDeviceId(idPrefix = 'camflow'): string {
  return `${idPrefix}_bridge`;
}

export interface DiscoveryMessage {
  topic: string;
  payload: DevicePayload;
}

export type Component = Record<string, unknown> & { p: Platform; unique_id?: string };
export type Platform = 'camera' | 'binary_sensor' | 'event' | 'button' | 'text' | 'switch' | 'sensor' | 'image';

export interface DevicePayload {
  dev: Record<string, unknown>;
  o: Origin;
  availability?: { topic: string }[];
  availability_mode?: 'all' | 'any' | 'latest';
  /** Shared QoS: 1 makes Home Assistant publish commands at QoS 1, which the broker queues while the bridge is away. */
  qos?: 0 | 1;
  cmps: Record<string, Component>;
}

export const BRIDGE_DEVICE_ID = bridgeDeviceId();

/** Camera event type (lower-case, from the device) -> Home Assistant `event_type`. */
export const EVENT_TYPES: Readonly<Record<string, string>> = {
  vmd: 'motion',
  pir: 'motion',
  linedetection: 'line_crossing',
  fielddetection: 'intrusion',
  regionentrance: 'region_entrance',
  regionexiting: 'region_exit',
  shelteralarm: 'tamper',
  tamperdetection: 'tamper',
  videoloss: 'video_loss',
  io: 'input',
  motion: 'motion',
  ding: 'ring',
};
/** Every `event_type` the event entity declares: the mapped ones plus `other` for the rest. */
export const HA_EVENT_TYPES: readonly string[] = [...new Set([...Object.values(EVENT_TYPES).filter((t) => t !== 'ring'), 'other'])];
/** A Ring device's events: motion and dings (rings). */
const RING_EVENT_TYPES: readonly string[] = ['motion', 'ring', 'other'];

/** Event types that turn the motion binary_sensor on while active. */
export const MOTION_EVENT_TYPES: ReadonlySet<string> = new Set([
  'vmd',
  'pir',
  'linedetection',
  'fielddetection',
  'regionentrance',
  'regionexiting',
  'motion',
]);

export function haEventType(cameraEventType: string): string {
  return EVENT_TYPES[cameraEventType.toLowerCase()] ?? 'other';
}

type Feature =
  | 'camera'
  | 'motion'
  | 'event'
  | 'recording'
  | 'snapshot_button'
  | 'record_button'
  | 'download_button'
  | 'overlay_sync'
  | 'overlay_ms'
  | 'last_error'
  | 'connection'
  | 'doorbell';

/** Which entities each kind of camera gets. A P2P trail camera has no alert stream and no overlays. */
const FEATURES: Readonly<Record<CameraKind, readonly Feature[]>> = {
  hikvision: ['camera', 'motion', 'event', 'snapshot_button', 'record_button', 'recording', 'download_button', 'overlay_sync', 'overlay_ms', 'last_error'],
  p2p: ['camera', 'snapshot_button', 'download_button', 'last_error', 'connection'],
  rtsp: ['camera', 'snapshot_button', 'record_button', 'recording', 'last_error'],
  ring: ['camera', 'motion', 'event', 'doorbell', 'snapshot_button', 'download_button', 'last_error'],
};

const MANUFACTURER: Readonly<Record<CameraKind, string>> = { hikvision: 'Hikvision', p2p: 'TrailCam', rtsp: 'RTSP', ring: 'Ring' };

const ON_OFF = { payload_on: 'ON', payload_off: 'OFF' } as const;

/** One component per feature; `bridgeOnly` ones stay available while the camera is down (to show why). */
const COMPONENTS: Readonly<Record<Feature, (t: CameraTopics) => Component & { bridgeOnly?: true }>> = {
  camera: (t) => ({ p: 'camera', name: null, topic: t.camera }),
  motion: (t) => ({ p: 'binary_sensor', name: 'Motion', device_class: 'motion', state_topic: t.motion, ...ON_OFF }),
  event: (t) => ({ p: 'event', name: 'Event', device_class: 'motion', state_topic: t.event, event_types: [...HA_EVENT_TYPES] }),
  snapshot_button: (t) => ({ p: 'button', name: 'Take snapshot', command_topic: t.snapshotPress, payload_press: 'PRESS' }),
  record_button: (t) => ({ p: 'button', name: 'Record clip', command_topic: t.recordPress, payload_press: 'PRESS' }),
  download_button: (t) => ({ p: 'button', name: 'Download recordings', command_topic: t.downloadPress, payload_press: 'PRESS' }),
  recording: (t) => ({ p: 'binary_sensor', name: 'Recording', device_class: 'running', state_topic: t.recording, ...ON_OFF }),
  overlay_sync: (t) => ({
    p: 'switch',
    name: 'Overlay sync',
    command_topic: t.overlaySyncSet,
    state_topic: t.overlaySync,
    ...ON_OFF,
    entity_category: 'config',
  }),
  overlay_ms: (t) => ({
    p: 'sensor',
    name: 'Overlay cycle',
    state_topic: t.overlayMs,
    device_class: 'duration',
    unit_of_measurement: 'ms',
    state_class: 'measurement',
    entity_category: 'diagnostic',
  }),
  last_error: (t) => ({ p: 'sensor', name: 'Last error', state_topic: t.lastError, entity_category: 'diagnostic', bridgeOnly: true }),
  connection: (t) => ({ p: 'sensor', name: 'Connection path', state_topic: t.connection, entity_category: 'diagnostic' }),
  doorbell: (t) => ({ p: 'event', name: 'Doorbell', device_class: 'doorbell', state_topic: t.doorbell, event_types: ['ring'] }),
};

/** The command each settable feature accepts. */
const COMMANDS: Partial<Record<Feature, BridgeCommand['kind']>> = {
  snapshot_button: 'snapshot',
  record_button: 'record',
  download_button: 'download',
  overlay_sync: 'overlay_sync',
};

/** Features that only make sense with at least one configured overlay. */
const OVERLAY_FEATURES: ReadonlySet<Feature> = new Set(['overlay_sync', 'overlay_ms']);
/** Features that run as pipeline jobs: only on a bridge that works a pipeline. */
const PIPELINE_FEATURES: ReadonlySet<Feature> = new Set(['download_button']);
/** Features a kind has only through the pipeline (an RTSP clip is a `record` job). */
const PIPELINE_ONLY: Readonly<Partial<Record<CameraKind, ReadonlySet<Feature>>>> = { rtsp: new Set(['record_button', 'recording']) };

function featuresOf(camera: CameraDescription): Feature[] {
  const pipeline = camera.clips === true;
  return FEATURES[camera.kind].filter(
    (feature) =>
      (camera.overlays.length > 0 || !OVERLAY_FEATURES.has(feature)) &&
      // Only a doorbell rings; a Ring stick-up cam has no button (known once its details are read).
      (feature !== 'doorbell' || camera.details?.doorbell === true) &&
      (pipeline || (!PIPELINE_FEATURES.has(feature) && PIPELINE_ONLY[camera.kind]?.has(feature) !== true)),
  );
}

export function cameraObjectId(cameraId: string, idPrefix = 'camflow'): string {
  return `${idPrefix}_${cameraId}`;
}

/** The retained discovery message for one camera. */
export function cameraDiscovery(camera: CameraDescription, context: DiscoveryContext): DiscoveryMessage {
  const { topics } = context;
  const prefix = context.idPrefix ?? 'camflow';
  const t = topics.camera(camera.id);
  const bridgeAvailability = [{ topic: topics.bridgeAvailability }];
  const cmps: Record<string, Component> = {};
  for (const feature of featuresOf(camera)) {
    const { bridgeOnly, ...component } = COMPONENTS[feature](t);
    cmps[feature] = { ...component, ...(bridgeOnly ? { availability: bridgeAvailability } : {}), unique_id: uniqueId(prefix, camera.id, feature) };
  }
  // The event types a device can send: a Hikvision camera never rings, a Ring device never crosses lines.
  if (camera.kind === 'ring' && cmps.event !== undefined) cmps.event = { ...cmps.event, event_types: [...RING_EVENT_TYPES] };
  if (camera.kind === 'hikvision') {
    for (const overlay of camera.overlays) {
      cmps[`overlay_${overlay.id}`] = overlayComponent(prefix, camera.id, overlay, t);
      // What the camera really shows: the template with its values, the time, the counter filled in.
      cmps[`overlay_${overlay.id}_shown`] = {
        p: 'sensor',
        name: `Overlay ${overlay.id} shown`,
        state_topic: t.overlayShown(overlay.id),
        unique_id: uniqueId(prefix, camera.id, `overlay_${overlay.id}_shown`),
      };
    }
  }
  if (camera.detection !== undefined) Object.assign(cmps, detectionComponents(prefix, camera.id, camera.detection.labels, t));
  if (camera.clips === true) {
    cmps['last_clip'] = {
      p: 'sensor',
      name: 'Last clip',
      state_topic: t.lastClip,
      value_template: '{{ value_json.file }}',
      json_attributes_topic: t.lastClip,
      unique_id: uniqueId(prefix, camera.id, 'last_clip'),
    };
  }
  const payload: DevicePayload = {
    dev: deviceBlock(camera, prefix),
    o: context.origin,
    availability: [...bridgeAvailability, { topic: t.availability }],
    availability_mode: 'all',
    qos: 1,
    cmps,
  };
  return { topic: topics.deviceDiscovery(cameraObjectId(camera.id, prefix)), payload };
}

function overlayComponent(prefix: string, cameraId: string, overlay: OverlayEntity, t: CameraTopics): Component {
  const name = overlay.mode === 'value' && overlay.valueName !== undefined ? `Overlay ${overlay.id} ${overlay.valueName}` : `Overlay ${overlay.id}`;
  return {
    p: 'text',
    name,
    command_topic: t.overlaySet(overlay.id),
    state_topic: t.overlay(overlay.id),
    min: 0,
    max: Math.min(overlay.max, 255),
    mode: 'text',
    unique_id: uniqueId(prefix, cameraId, `overlay_${overlay.id}`),
  };
}

function deviceBlock(camera: CameraDescription, prefix: string): Record<string, unknown> {
  const d = camera.details ?? {};
  return {
    ids: [cameraObjectId(camera.id, prefix)],
    name: camera.name,
    mf: d.manufacturer ?? MANUFACTURER[camera.kind],
    ...(d.model === undefined ? {} : { mdl: d.model }),
    ...(d.firmware === undefined ? {} : { sw: d.firmware }),
    ...(d.serialNumber === undefined ? {} : { sn: d.serialNumber }),
    via_device: bridgeDeviceId(prefix),
  };
}

function uniqueId(prefix: string, cameraId: string, key: string): string {
  return `${prefix}_${cameraId}_${key}`;
}

/** The bridge's own device: its connection state, version and how many cameras answer. */
export function bridgeDiscovery(context: DiscoveryContext): DiscoveryMessage {
  const { topics, origin } = context;
  const id = bridgeDeviceId(context.idPrefix);
  const availability = [{ topic: topics.bridgeAvailability }];
  const payload: DevicePayload = {
    dev: { ids: [id], name: 'camflow bridge', mf: 'camflow', mdl: 'MQTT bridge', sw: origin.sw },
    o: origin,
    cmps: {
      // No availability on purpose: it must read "disconnected" when the last will fires.
      state: {
        p: 'binary_sensor',
        name: 'Connection state',
        device_class: 'connectivity',
        state_topic: topics.bridgeAvailability,
        payload_on: 'online',
        payload_off: 'offline',
        entity_category: 'diagnostic',
        unique_id: `${id}_state`,
      },
      version: {
        p: 'sensor',
        name: 'Version',
        state_topic: topics.bridgeVersion,
        entity_category: 'diagnostic',
        availability,
        unique_id: `${id}_version`,
      },
      cameras_online: {
        p: 'sensor',
        name: 'Cameras online',
        state_topic: topics.bridgeCamerasOnline,
        state_class: 'measurement',
        availability,
        unique_id: `${id}_cameras_online`,
      },
      ...(context.pipeline === true ? pipelineComponents(id, topics.bridgeJobs, availability) : {}),
    },
  };
  return { topic: topics.deviceDiscovery(id), payload };
}

/** What the command router accepts for a camera, derived from the same tables as its entities. */
export function commandTarget(camera: CameraDescription): CommandTarget {
  const accepts = new Set<BridgeCommand['kind']>();
  for (const feature of featuresOf(camera)) {
    const command = COMMANDS[feature];
    if (command !== undefined) accepts.add(command);
  }
  const overlays = new Map<number, number>();
  if (camera.kind === 'hikvision') {
    for (const overlay of camera.overlays) overlays.set(overlay.id, Math.min(overlay.max, 255));
    if (overlays.size > 0) accepts.add('overlay_text');
  }
  return { accepts, overlays };
}

/**
 * The payload that removes components before they disappear from a device: Home Assistant drops a
 * component reduced to `{p}`, while one merely missing from the next payload may linger.
 */
export function removalPayload(previous: DevicePayload, next: DevicePayload): DevicePayload | undefined {
  const removed = Object.keys(previous.cmps).filter((key) => !(key in next.cmps));
  if (removed.length === 0) return undefined;
  const cmps: Record<string, Component> = { ...previous.cmps };
  for (const key of removed) {
    const platform = previous.cmps[key]?.p;
    if (platform !== undefined) cmps[key] = { p: platform };
  }
  return { ...previous, cmps };
}
