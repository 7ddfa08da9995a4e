import { ConfigError } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { positiveNumber, startNode } from '../shared/define.js';
import { withDefaults, type Migration } from '../shared/version.js';
import { RecordingSession } from './session.js';

export interface RecordDef extends NodeDef {
  camera: string;
  duration: string | number;
}

export const RECORD_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const RECORD_DEFAULTS = { camera: '', duration: 30 };
export const recordMigrations: readonly Migration[] = [withDefaults(RECORD_DEFAULTS)];

/** Longest manual recording a message may ask for: a forgotten `msg.duration` must not fill the disk. */
const MAX_DURATION_S = 24 * 3600;
function durationSeconds(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_DURATION_S) {
    throw new ConfigError(`msg.duration must be a number of seconds between 0 and ${MAX_DURATION_S}, got ${String(value)}`);
  }
  return seconds;
}

/**
 * Starts a manual recording for `msg.duration` seconds and outputs when it stops. A message that arrives
 * while a recording runs extends it to its own end when that is later; each message is output once,
 * when the recording really stops, with the real start and stop times.
 */
export default function register(RED: NodeAPI): void {
  function RecordNode(this: Node, raw: RecordDef): void {
    const { config, life } = startNode(RED, this, raw, recordMigrations, RECORD_DEFAULTS);
    const fallback = positiveNumber(config.duration, 30);
    // The running recording, shared by every message that arrives while it runs.
    let session: RecordingSession | undefined;
    life.handleInput(async (msg, send, signal) => {
      const camera = cameraFrom(RED, config.camera, life);
      const endsAt = Date.now() + durationSeconds(msg['duration'], fallback) * 1000;
      const client = camera.hikvision();
      const track = camera.settings.channel * 100 + 1;
      if (session === undefined || !session.extendTo(endsAt)) {
        const previous = session?.span;
        const onStarted = (): void => this.status({ fill: 'red', shape: 'dot', text: 'camflow.status.recording' });
        const current = new RecordingSession({ client, track, endsAt, signal, onStarted, ...(previous === undefined ? {} : { previous }) });
        session = current;
        const forget = (): void => {
          if (session === current) session = undefined;
        };
        void current.span.then(forget, forget);
      }
      const { started, stopped } = await session.span;
      this.status({ fill: 'green', shape: 'dot', text: 'camflow.status.done' });
      send({
        ...msg,
        payload: { camera: camera.label, track, started, stopped, durationMs: stopped.getTime() - started.getTime() },
      });
    });
  }
  RED.nodes.registerType('camflow-record', RecordNode);
}
