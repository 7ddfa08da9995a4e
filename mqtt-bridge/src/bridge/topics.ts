/**
 * Topic names and command parsing. Every topic the bridge publishes or listens to is built here, so
 * the README table, the discovery payloads and the command router cannot disagree.
 *
 *   <base>/bridge/availability        online|offline (retained, last will)
 *   <base>/bridge/error               a rejected command, JSON (never retained)
 *   <base>/bridge/jobs                the pipeline: queued, running with progress, failed (JSON, retained)
 *   <base>/bridge/face_enroll/<name>/set   a JPEG of a person to enrol; <base>/<camera>/face_enroll/set a name
 *   <base>/<camera>/<state>           states (retained), events (never retained)
 *   <base>/<camera>/<thing>/set       commands for settable entities
 *   <base>/<camera>/<thing>/press     button presses
 */

export interface BridgeTopics {
  readonly base: string;
  readonly discoveryPrefix: string;
  readonly bridgeAvailability: string;
  readonly bridgeError: string;
  readonly bridgeVersion: string;
  readonly bridgeCamerasOnline: string;
  /** The pipeline's state as JSON: queued, running (with progress), failed, detection fps, loop delay. */
  readonly bridgeJobs: string;
  /** A face enrolled from Home Assistant: `{"name","samples"}` (never retained). */
  readonly bridgeFaceEnrolled: string;
  /** Home Assistant's birth/will topic. */
  readonly haStatus: string;
  /** What the bridge subscribes to: every command shape, so unknown ones can be reported. */
  readonly commandSubscriptions: readonly string[];
  camera(cameraId: string): CameraTopics;
  deviceDiscovery(objectId: string): string;
}

export interface CameraTopics {
  availability: string;
  camera: string;
  motion: string;
  event: string;
  /** Doorbell presses (Ring), never retained: `{"event_type": "ring"}`. */
  doorbell: string;
  recording: string;
  snapshotPress: string;
  recordPress: string;
  /** Download the camera's recordings of the last N hours (PRESS: the configured span). */
  downloadPress: string;
  /** Download a range: `{"from": "...", "to": "..."}`. */
  downloadSet: string;
  overlay(overlayId: number): string;
  overlaySet(overlayId: number): string;
  /** The text the camera shows on an overlay (the template filled in), not the value or template set. */
  overlayShown(overlayId: number): string;
  overlaySync: string;
  overlaySyncSet: string;
  overlayMs: string;
  lastError: string;
  connection: string;
  /** Detection events (never retained), JSON with `event_type` = the label. */
  detection: string;
  /** ON/OFF per detected label, held for a while after the last detection. */
  detected(label: string): string;
  /** The annotated JPEG of the last detection (retained). */
  detectionImage: string;
  /** The last named (or unknown) face. */
  face: string;
  /** The last finished clip or download, JSON. */
  lastClip: string;
  /** A name: enrols the face in the camera's snapshot now. */
  faceEnrollSet: string;
}

export function bridgeTopics(base: string, discoveryPrefix: string): BridgeTopics {
  const b = trimSlashes(base);
  const d = trimSlashes(discoveryPrefix);
  return {
    base: b,
    discoveryPrefix: d,
    bridgeAvailability: `${b}/bridge/availability`,
    bridgeError: `${b}/bridge/error`,
    bridgeVersion: `${b}/bridge/version`,
    bridgeCamerasOnline: `${b}/bridge/cameras_online`,
    bridgeJobs: `${b}/bridge/jobs`,
    bridgeFaceEnrolled: `${b}/bridge/face_enrolled`,
    haStatus: `${d}/status`,
    commandSubscriptions: [`${b}/+/+/set`, `${b}/+/+/+/set`, `${b}/+/+/press`],
    deviceDiscovery: (objectId) => `${d}/device/${objectId}/config`,
    camera: (id) => {
      const c = `${b}/${id}`;
      return {
        availability: `${c}/availability`,
        camera: `${c}/snapshot`,
        motion: `${c}/motion`,
        event: `${c}/event`,
        doorbell: `${c}/doorbell`,
        recording: `${c}/recording`,
        snapshotPress: `${c}/snapshot/press`,
        recordPress: `${c}/record/press`,
        downloadPress: `${c}/download/press`,
        downloadSet: `${c}/download/set`,
        overlay: (overlayId) => `${c}/overlay/${overlayId}`,
        overlaySet: (overlayId) => `${c}/overlay/${overlayId}/set`,
        overlayShown: (overlayId) => `${c}/overlay/${overlayId}/shown`,
        overlaySync: `${c}/overlay_sync`,
        overlaySyncSet: `${c}/overlay_sync/set`,
        overlayMs: `${c}/overlay_ms`,
        lastError: `${c}/last_error`,
        connection: `${c}/connection`,
        detection: `${c}/detection`,
        detected: (label) => `${c}/detected/${label}`,
        detectionImage: `${c}/detection/image`,
        face: `${c}/face`,
        lastClip: `${c}/last_clip`,
        faceEnrollSet: `${c}/face_enroll/set`,
      };
    },
  };
}

function trimSlashes(topic: string): string {
  return topic.replace(/^\/+|\/+$/g, '');
}

// ---------------------------------------------------------------------------------------------------
// Commands

export type BridgeCommand =
  | { kind: 'snapshot'; camera: string }
  | { kind: 'record'; camera: string; seconds: number | undefined }
  | { kind: 'download'; camera: string; hours?: number; from?: Date; to?: Date }
  | { kind: 'overlay_text'; camera: string; overlay: number; text: string }
  | { kind: 'overlay_sync'; camera: string; enabled: boolean };

/** What the router needs to know about a camera to validate a command for it. */
export interface CommandTarget {
  /** Command kinds this camera accepts (a P2P camera has no overlays). */
  accepts: ReadonlySet<BridgeCommand['kind']>;
  /** Overlay id -> longest accepted text. */
  overlays: ReadonlyMap<number, number>;
}

export type ParsedCommand = { ok: true; command: BridgeCommand } | { ok: false; error: string };

/** Longest manual recording a button press may ask for. */
export const MAX_RECORD_SECONDS = 3600;

/**
 * Longest command payload taken: the longest real one is an overlay text (a few hundred bytes). Checked
 * on the byte length before anything else looks at the payload, so a 200 MB message costs nothing.
 */
export const MAX_COMMAND_BYTES = 8 * 1024;

/**
 * Turns a command message into a typed command, or a reason it is refused. Pure: the caller decides
 * what happens (runs it, or publishes the reason on `<base>/bridge/error`).
 */
export function parseCommand(
  base: string,
  topic: string,
  payload: Buffer,
  targets: ReadonlyMap<string, CommandTarget>,
): ParsedCommand {
  if (payload.length > MAX_COMMAND_BYTES) return refuse(`payload of ${payload.length} bytes refused: a command is at most ${MAX_COMMAND_BYTES} bytes`);
  const prefix = `${trimSlashes(base)}/`;
  if (!topic.startsWith(prefix)) return refuse(`not a camflow command topic`);
  const [camera, ...rest] = topic.slice(prefix.length).split('/');
  if (camera === undefined || camera === '' || camera === 'bridge') return refuse('unknown command');
  const target = targets.get(camera);
  if (target === undefined) return refuse(`unknown camera '${camera}'`);
  const text = decodeUtf8(payload);
  if (text === undefined) return refuse('payload is not valid UTF-8');
  const command = matchCommand(camera, rest, text, target);
  if (!command.ok) return command;
  if (!target.accepts.has(command.command.kind)) {
    return refuse(`camera '${camera}' does not support ${command.command.kind.replace('_', ' ')}`);
  }
  return command;
}

function matchCommand(camera: string, path: string[], text: string, target: CommandTarget): ParsedCommand {
  const route = path.join('/');
  if (route === 'snapshot/press') {
    return isPress(text) ? accept({ kind: 'snapshot', camera }) : refuse(`expected PRESS, got ${quote(text)}`);
  }
  if (route === 'record/press') return parseRecord(camera, text);
  if (route === 'download/press') return parseDownloadPress(camera, text);
  if (route === 'download/set') return parseDownloadRange(camera, text);
  if (route === 'overlay_sync/set') {
    const value = text.trim().toUpperCase();
    if (value === 'ON' || value === 'OFF') return accept({ kind: 'overlay_sync', camera, enabled: value === 'ON' });
    return refuse(`expected ON or OFF, got ${quote(text)}`);
  }
  if (path.length === 3 && path[0] === 'overlay' && path[2] === 'set') {
    const overlay = Number(path[1]);
    const max = Number.isInteger(overlay) ? target.overlays.get(overlay) : undefined;
    if (max === undefined) return refuse(`camera '${camera}' has no overlay '${path[1] ?? ''}'`);
    if ([...text].length > max) return refuse(`text is ${[...text].length} characters, overlay ${overlay} takes at most ${max}`);
    return accept({ kind: 'overlay_text', camera, overlay, text });
  }
  return refuse(`unknown command '${route}'`);
}

function parseRecord(camera: string, text: string): ParsedCommand {
  // An empty message is also what a broker delivers when someone deletes a retained record/press:
  // never a reason to start recording.
  if (text.trim() === '') return refuse('an empty message does not start a recording (send PRESS or a number of seconds)');
  if (isPress(text)) return accept({ kind: 'record', camera, seconds: undefined });
  const seconds = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || seconds < 1 || seconds > MAX_RECORD_SECONDS) {
    return refuse(`expected PRESS or a whole number of seconds from 1 to ${MAX_RECORD_SECONDS}, got ${quote(text)}`);
  }
  return accept({ kind: 'record', camera, seconds });
}

/** Longest span one download command may ask for: a week of recordings. */
export const MAX_DOWNLOAD_HOURS = 168;

function parseDownloadPress(camera: string, text: string): ParsedCommand {
  if (isPress(text) && text.trim() !== '') return accept({ kind: 'download', camera });
  const hours = Number(text.trim());
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || hours <= 0 || hours > MAX_DOWNLOAD_HOURS) {
    return refuse(`expected PRESS or a number of hours up to ${MAX_DOWNLOAD_HOURS}, got ${quote(text)}`);
  }
  return accept({ kind: 'download', camera, hours });
}

function parseDownloadRange(camera: string, text: string): ParsedCommand {
  let range: { from?: unknown; to?: unknown };
  try {
    range = JSON.parse(text) as typeof range;
  } catch {
    return refuse('expected JSON {"from": "2026-12-04T20:00:00Z", "to": "2026-12-05T06:00:00Z"}');
  }
  const from = typeof range.from === 'string' || typeof range.from === 'number' ? new Date(range.from) : undefined;
  const to = typeof range.to === 'string' || typeof range.to === 'number' ? new Date(range.to) : new Date();
  if (from === undefined || Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return refuse('from (and to, default now) must be times such as 2026-12-04T20:00:00Z');
  if (from >= to) return refuse('from must be before to');
  if (to.getTime() - from.getTime() > MAX_DOWNLOAD_HOURS * 3600_000) return refuse(`a range of at most ${MAX_DOWNLOAD_HOURS} hours`);
  return accept({ kind: 'download', camera, from, to });
}

/** Home Assistant sends PRESS; an empty payload is what `mosquitto_pub -n` sends. */
function isPress(text: string): boolean {
  const value = text.trim();
  return value === '' || value.toUpperCase() === 'PRESS';
}

function decodeUtf8(payload: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(payload);
  } catch {
    return undefined;
  }
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

function accept(command: BridgeCommand): ParsedCommand {
  return { ok: true, command };
}

function refuse(error: string): ParsedCommand {
  return { ok: false, error };
}
