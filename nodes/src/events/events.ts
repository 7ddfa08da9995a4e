import { ensureError, isAbortError, type CameraEvent } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { CameraHandle } from '../camera/handle.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { currentConfig } from '../shared/define.js';
import { errorStatusText, reportError } from '../shared/funnel.js';
import { NodeLifecycle } from '../shared/lifecycle.js';
import { withDefaults, type Migration } from '../shared/version.js';
import { delay } from '../shared/wait.js';

export interface EventsDef extends NodeDef {
  camera: string;
  /** Comma-separated event types to pass (case-insensitive); empty passes all. */
  types: string;
}

export const EVENTS_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const EVENTS_DEFAULTS = { camera: '', types: '' };
export const eventsMigrations: readonly Migration[] = [withDefaults(EVENTS_DEFAULTS)];

/** Pause before re-opening a stream that ended with an error the client did not retry itself. */
const RESTART_MS = { initial: 1000, max: 60_000 };
/** After an auth failure the client refuses calls for its back-off; waiting longer avoids a lockout. */
const AUTH_RESTART_MS = 5 * 60_000;

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
    const config = currentConfig(raw, eventsMigrations, EVENTS_DEFAULTS);
    RED.nodes.createNode(this, raw); // the original: the runtime attached its flow to it
    const life = new NodeLifecycle(this);
    const passes = typeFilter(config.types);

    const streamOnce = async (camera: CameraHandle, signal: AbortSignal): Promise<void> => {
      // The client opens and re-opens the camera's alert stream by itself and does not (yet) say when
      // it is up, so until the first event the status only says the node is listening.
      this.status({ fill: 'green', shape: 'ring', text: 'camflow.status.listening' });
      for await (const event of camera.events(signal)) {
        this.status({ fill: 'green', shape: 'dot', text: 'camflow.status.connected' });
        if (passes(event.type)) this.send(eventMessage(camera, event));
      }
    };

    const run = async (signal: AbortSignal): Promise<void> => {
      const camera = cameraFrom(RED, config.camera, life);
      let backoff = RESTART_MS.initial;
      while (!signal.aborted) {
        try {
          await streamOnce(camera, signal);
          backoff = RESTART_MS.initial;
        } catch (thrown) {
          if (signal.aborted && isAbortError(thrown)) return;
          const error = ensureError(thrown);
          reportError(this, error);
          const auth = errorStatusText(error) === 'camflow.status.authFailed';
          if (!auth) this.status({ fill: 'yellow', shape: 'ring', text: 'camflow.status.reconnecting' });
          await delay(auth ? AUTH_RESTART_MS : backoff, signal);
          backoff = Math.min(backoff * 2, RESTART_MS.max);
        }
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
