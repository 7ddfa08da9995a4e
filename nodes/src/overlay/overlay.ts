import { ConfigError, Template, type CycleReport, type OverlayOutcome, type TemplateValue } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import { SYNC_CAMERA_ID, type CameraHandle } from '../camera/handle.js';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeSend } from '../red.js';
import { positiveNumber, startNode } from '../shared/define.js';
import { reportError } from '../shared/funnel.js';
import type { NodeLifecycle } from '../shared/lifecycle.js';
import { SyncHealth } from './health.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface OverlayDef extends NodeDef {
  camera: string;
  /** Overlay id on the device (1..8). */
  overlay: string | number;
  /** Template rendered with the values an object payload sets; empty: payloads carry the text. */
  template: string;
  /** Keep the overlay current on an interval with the camera's shared overlay sync. */
  sync: boolean;
  /** Seconds between sync cycles. */
  interval: string | number;
}

export const OVERLAY_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const OVERLAY_DEFAULTS = { camera: '', overlay: 1, template: '', sync: false, interval: 1 };
export const overlayMigrations: readonly Migration[] = [withDefaults(OVERLAY_DEFAULTS)];

export function overlayId(value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1 || id > 8) {
    throw new ConfigError(`overlay must be a number from 1 to 8, got ${String(value)}`);
  }
  return id;
}

/** Values an object payload sets: numbers, strings, booleans and null (unset), by name. */
export function templateValues(payload: object): Map<string, TemplateValue> {
  const values = new Map<string, TemplateValue>();
  for (const [name, value] of Object.entries(payload)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
      values.set(name, value as TemplateValue);
    } else {
      throw new ConfigError(`template value '${name}' must be a string, number, boolean or null`);
    }
  }
  return values;
}

function payloadKind(payload: unknown): 'text' | 'values' | 'invalid' {
  if (typeof payload === 'string' || typeof payload === 'number') return 'text';
  if (payload !== null && typeof payload === 'object' && !Buffer.isBuffer(payload) && !Array.isArray(payload)) return 'values';
  return 'invalid';
}

/** Writes on each message: a string is the text, an object fills the node's template. */
function directMode(RED: NodeAPI, node: Node, config: OverlayDef, life: NodeLifecycle): void {
  const template = config.template.trim() === '' ? undefined : Template.parse(config.template);
  const values = new Map<string, TemplateValue>();
  let counter = 0;

  const textFor = (msg: NodeMessage): string => {
    const kind = payloadKind(msg.payload);
    if (kind === 'text') return String(msg.payload);
    if (kind === 'invalid') throw new ConfigError(RED._('overlay.errors.badPayload'));
    if (template === undefined) throw new ConfigError(RED._('overlay.errors.noTemplate'));
    for (const [name, value] of templateValues(msg.payload as object)) values.set(name, value);
    counter += 1;
    return template.render({ now: new Date(), counter, values });
  };

  life.handleInput(async (msg, send, signal) => {
    const camera = cameraFrom(RED, config.camera, life);
    const id = overlayId(msg['overlay'] ?? config.overlay);
    const text = textFor(msg);
    const started = performance.now();
    await camera.hikvision().setTextOverlay(camera.settings.channel, { id, text }, { signal });
    const ms = Math.round(performance.now() - started);
    node.status({ fill: 'green', shape: 'dot', text });
    send({ ...msg, payload: { camera: camera.label, overlay: id, text, status: 'updated', ms } });
  });
}

/**
 * The camera's shared overlay sync keeps the text current: a string sets this overlay's template, an
 * object sets template values; every cycle that wrote or failed something is output as its report.
 */
function syncMode(RED: NodeAPI, node: Node, config: OverlayDef, life: NodeLifecycle): void {
  const camera: CameraHandle = cameraFrom(RED, config.camera, life);
  const id = overlayId(config.overlay);
  const engine = camera.acquireOverlaySync(node.id, positiveNumber(config.interval, 1) * 1000);
  // Overlays this node put into the shared sync leave it with the node (other nodes' overlays stay).
  const mine = new Set<number>();
  const setText = (overlay: number, text: string): void => {
    engine.setOverlayText(SYNC_CAMERA_ID, overlay, text);
    mine.add(overlay);
  };
  life.onClose(() => {
    for (const overlay of mine) engine.removeOverlay(SYNC_CAMERA_ID, overlay);
    return camera.releaseOverlaySync(node.id);
  });
  if (config.template.trim() !== '') setText(id, config.template);

  // A failing camera or overlay reaches Catch nodes through node.error, once when it starts failing.
  const health = new SyncHealth(camera.label);
  const onOutcome = (outcome: OverlayOutcome): void => {
    if (outcome.cameraId === SYNC_CAMERA_ID && mine.has(outcome.overlayId)) health.outcome(outcome);
  };
  const onCycle = (report: CycleReport): void => {
    const verdict = health.endCycle(engine.status()[0]?.state ?? 'idle', camera.overlaySyncError);
    if (verdict.kind === 'failed') reportError(node, verdict.error, { topic: camera.label, payload: report });
    if (report.updated + report.failed === 0 && !(verdict.kind === 'healthy' && verdict.recovered)) return;
    if (verdict.kind === 'healthy' && !health.failing) {
      const written = engine.status()[0]?.overlays[id];
      node.status({ fill: 'green', shape: 'dot', text: written ?? 'camflow.status.syncing' });
    }
    node.send({ topic: camera.label, payload: report });
  };
  engine.on('overlay', onOutcome);
  engine.on('cycle', onCycle);
  life.onClose(() => {
    engine.off('overlay', onOutcome);
    engine.off('cycle', onCycle);
  });

  life.handleInput(async (msg: NodeMessage, _send: NodeSend) => {
    const kind = payloadKind(msg.payload);
    if (kind === 'invalid') throw new ConfigError(RED._('overlay.errors.badPayload'));
    if (kind === 'text') setText(overlayId(msg['overlay'] ?? id), String(msg.payload));
    else for (const [name, value] of templateValues(msg.payload as object)) engine.setValue(name, value);
  });
}

export default function register(RED: NodeAPI): void {
  function OverlayNode(this: Node, raw: OverlayDef): void {
    const { config, life } = startNode(RED, this, raw, overlayMigrations, OVERLAY_DEFAULTS);
    try {
      if (config.sync === true) syncMode(RED, this, config, life);
      else directMode(RED, this, config, life);
    } catch (error) {
      // A bad template or overlay id: the node stays in the flow, shows it, and fails each message.
      reportError(this, error);
      life.handleInput(() => Promise.reject(error as Error));
    }
  }
  RED.nodes.registerType('camflow-overlay', OverlayNode);
}
