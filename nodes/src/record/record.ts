import { ConfigError } from '@camflow/core';
import type { CameraHandle } from '../camera/handle.js';
import type { NodeAPI as RedAPI, NodeMessage } from '../red.js';
import { settled } from '../shared/jobs.js';
import { runningPipeline } from '../shared/pipeline.js';
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

interface RecordJobResult {
  path?: string;
  start: string;
  end: string;
  duration_ms: number;
  bytes?: number;
}

/**
 * A camera that records to a file (RTSP): a `record` job on the Node-RED process's pipeline (the clip
 * in `<userDir>/camflow/media/clips/`, starting before the trigger with a pre-event buffer), output
 * once the file is whole.
 */
async function recordClipJob(RED: RedAPI, node: Node, cameraNodeId: string, camera: CameraHandle, seconds: number, msg: NodeMessage, signal: AbortSignal): Promise<NodeMessage | undefined> {
  const pipeline = await runningPipeline();
  if (pipeline === undefined) throw new ConfigError(RED._('record.errors.noPipeline'));
  const job = await pipeline.engine.add('record', { camera: cameraNodeId, seconds: Math.max(1, Math.round(seconds)), pre_event: (camera.settings.preEventS ?? 0) > 0 });
  node.status({ fill: 'red', shape: 'dot', text: 'camflow.status.recording' });
  const done = await settled(pipeline.engine, job.id, signal, (running) => node.status({ fill: 'red', shape: 'dot', text: `${Math.round(running.progress.fraction * 100)}% ${running.progress.message ?? ''}`.trim() }));
  if (done === undefined) return undefined; // closing
  if (done.state !== 'completed') throw new Error(`camera ${camera.label}: recording ${done.state}: ${done.error ?? 'no reason given'}`);
  const r = done.result as RecordJobResult;
  const started = new Date(r.start);
  const stopped = new Date(r.end);
  return { ...msg, payload: { camera: camera.label, started, stopped, durationMs: r.duration_ms, ...(r.path === undefined ? {} : { path: r.path }), ...(r.bytes === undefined ? {} : { bytes: r.bytes }) } };
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
      const seconds = durationSeconds(msg['duration'], fallback);
      const endsAt = Date.now() + seconds * 1000;
      const source = camera.camera();
      if (source.kind !== 'hikvision') {
        if (source.recordClip === undefined) throw new ConfigError(`camera '${camera.label}' (${source.kind}) cannot record; download its recordings instead`);
        const out = await recordClipJob(RED, this, config.camera, camera, seconds, msg, signal);
        if (out === undefined) return;
        this.status({ fill: 'green', shape: 'dot', text: 'camflow.status.done' });
        send(out);
        return;
      }
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
