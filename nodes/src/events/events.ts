import { readFile } from 'node:fs/promises';
import { type CameraEvent, ConfigError, type Detection, detectionFor, detectOnEvent, type EventStreamStatus } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { CameraHandle } from '../camera/handle.js';
import type { Node, NodeAPI, NodeDef, NodeStatus } from '../red.js';
import { startNode } from '../shared/define.js';
import { reportError } from '../shared/funnel.js';
import { acquirePipeline, releasePipeline, runningPipeline } from '../shared/pipeline.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface EventsDef extends NodeDef {
  camera: string;
  /** Comma-separated event types to pass (case-insensitive); empty passes all. */
  types: string;
  /** Also run detection on motion events and send what it finds. */
  detect: boolean;
  /** Comma-separated labels a detection message needs (`person, car`); empty: any. */
  labels: string;
}

export const EVENTS_VERSION = 2;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const EVENTS_DEFAULTS = { camera: '', types: '', detect: false, labels: '' };
export const eventsMigrations: readonly Migration[] = [
  withDefaults({ camera: '', types: '' }),
  // 1 -> 2: detections (off, as before).
  withDefaults({ detect: false, labels: '' }),
];

/** The node's status for the camera's alert stream state; retry times in whole seconds. */
export function streamStatus(RED: NodeAPI, status: EventStreamStatus): NodeStatus {
  const seconds = Math.ceil((status.retryInMs ?? 0) / 1000);
  switch (status.state) {
    case 'idle':
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: 'events.status.connecting' };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: 'events.status.connected' };
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: RED._('events.status.reconnecting', { seconds }) };
    case 'auth_failed':
      return { fill: 'red', shape: 'ring', text: RED._('events.status.authFailed', { seconds }) };
  }
}

export function eventMessage(camera: CameraHandle, event: CameraEvent): Record<string, unknown> {
  return {
    topic: `${camera.label}/${event.type}`,
    payload: {
      type: event.type,
      state: event.state,
      channel: event.channel,
      time: event.time.toISOString(),
      ...(event.description === undefined ? {} : { description: event.description }),
    },
    camera: camera.label,
  };
}

/** One message per detection run that found something wanted: its detections and the annotated picture. */
export async function detectionMessage(camera: CameraHandle, trigger: string, found: readonly Detection[]): Promise<Record<string, unknown>> {
  const best = [...found].sort((a, b) => b.score - a.score)[0];
  const image = best?.snapshot === undefined ? undefined : await readFile(best.snapshot).catch(() => undefined);
  return {
    topic: `${camera.label}/detection`,
    payload: {
      type: 'detection',
      trigger,
      labels: [...new Set(found.map((d) => (d.face?.known === true ? d.face.name : d.label)))],
      time: best?.at ?? new Date().toISOString(),
    },
    detections: found.map((d) => ({ label: d.label, score: d.score, box: d.box, ...(d.zone === undefined ? {} : { zone: d.zone }), ...(d.face === undefined ? {} : { face: d.face }) })),
    ...(image === undefined ? {} : { image }),
    camera: camera.label,
  };
}

export function typeFilter(types: string): (type: string) => boolean {
  const wanted = new Set(
    types
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter((t) => t !== ''),
  );
  return wanted.size === 0 ? () => true : (type) => wanted.has(type.toLowerCase());
}

/** No input: one message per camera event, for as long as the flow runs. */
export default function register(RED: NodeAPI): void {
  function EventsNode(this: Node, raw: EventsDef): void {
    const { config, life } = startNode(RED, this, raw, eventsMigrations, EVENTS_DEFAULTS);
    const passes = typeFilter(config.types);
    const wantsLabel = typeFilter(config.labels);
    const detecting = config.detect === true;
    if (detecting) {
      // Detection runs on the pipeline's worker pool: held while this node is deployed.
      acquirePipeline(RED);
      life.onClose(() => releasePipeline());
    }

    /** Motion events -> a few snapshots -> the detector -> one message per run that found a wanted label. */
    const detect = async (camera: CameraHandle, signal: AbortSignal): Promise<void> => {
      const pipeline = await runningPipeline();
      if (pipeline === undefined) throw new ConfigError(RED._('events.errors.noPipeline'));
      await detectOnEvent({
        camera: camera.camera(),
        service: detectionFor(pipeline.services),
        signal,
        onDetection: () => undefined,
        onRun: (run) => {
          const wanted = run.detections.filter((d) => wantsLabel(d.label) || (d.face?.known === true && wantsLabel(d.face.name)));
          if (wanted.length === 0) return;
          void detectionMessage(camera, run.trigger, wanted).then((msg) => {
            if (!life.closing) this.send(msg);
          });
        },
        onError: (error) => {
          if (!life.closing) reportError(this, error);
        },
      });
    };

    // The camera's client keeps its alert stream up by itself (reboots, pulled cables, a password fixed
    // on the camera); this node shows the stream's state and ends its iteration only on close.
    const run = async (signal: AbortSignal): Promise<void> => {
      const camera = cameraFrom(RED, config.camera, life);
      // Any camera kind with an event stream (core's camera interface); Hikvision also reports its state.
      const source = camera.camera();
      if (source.events === undefined) throw new ConfigError(`camera '${camera.label}' (${source.kind}) has no event stream`);
      const show = (status: EventStreamStatus): void => {
        if (life.closing) return;
        // Rejected credentials need the user: tell Catch nodes, once per failed attempt (one per back-off).
        if (status.state === 'auth_failed' && status.error !== undefined) reportError(this, status.error);
        this.status(streamStatus(RED, status));
      };
      const off = source.kind === 'hikvision' ? source.client.on('event-stream', show) : () => {};
      const detections = detecting
        ? detect(camera, signal).catch((error: unknown) => {
            if (!life.closing) reportError(this, error);
          })
        : Promise.resolve();
      try {
        if (source.kind === 'hikvision') show(source.client.eventStreamStatus);
        for await (const event of source.events(signal)) {
          if (passes(event.type)) this.send(eventMessage(camera, event));
        }
      } finally {
        off();
        await detections;
      }
    };

    life.track(
      run(life.signal).catch((error: unknown) => {
        if (!life.closing) reportError(this, error);
      }),
    );
  }
  RED.nodes.registerType('camflow-events', EventsNode);
}
