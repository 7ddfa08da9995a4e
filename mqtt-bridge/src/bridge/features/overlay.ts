/**
 * Overlays from Home Assistant: a text entity per configured overlay sets the template's value
 * (`{{value.NAME}}`) or the whole text, a switch turns overlay sync on and off per camera, and a
 * diagnostic sensor shows each camera's milliseconds in the last cycle. The work itself is core's
 * OverlaySync; this file only maps entities to its calls and its reports to states.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  type CamflowConfig,
  type CameraConfig,
  type CycleReport,
  type HikvisionClient,
  type Logger,
  type OverlayCameraSpec,
  overlayCameraSpec,
  OverlaySync,
  Template,
  type TemplateValue,
} from '@camflow/core';
import type { OverlayEntity } from '../discovery.js';
import type { CameraContext, Feature } from '../feature.js';
import type { Publisher } from '../publisher.js';
import type { BridgeCommand, BridgeTopics } from '../topics.js';

/** Until the camera tells its limit, the most a Home Assistant text entity takes. */
const UNKNOWN_LIMIT = 255;

/**
 * The text entities of a camera: value mode when its template has exactly one `value.NAME`. In value
 * mode the template's own characters count against the device limit too, so `max` leaves room for them.
 */
export function overlayEntities(camera: CameraConfig): OverlayEntity[] {
  if (camera.type !== 'hikvision') return [];
  return camera.overlays.map((overlay) => {
    const template = Template.parse(overlay.text);
    const valueName = template.valueNames.length === 1 ? template.valueNames[0] : undefined;
    if (valueName === undefined) return { id: overlay.id, mode: 'text', max: UNKNOWN_LIMIT };
    const reserved = [...renderWith(template, valueName, '', 0)].length;
    return { id: overlay.id, mode: 'value', valueName, max: Math.max(0, UNKNOWN_LIMIT - reserved), reserved };
  });
}

/** The template as the camera would show it with `value.NAME` = `value` (other placeholders as at this moment). */
function renderWith(template: Template, name: string, value: TemplateValue, counter: number): string {
  return template.render({ now: new Date(), counter, values: new Map([[name, value]]), missing: '' });
}

/** A number-looking text becomes a number, so `{{value.temperature:0.1}}` formats it. */
export function parseTemplateValue(text: string): TemplateValue {
  const trimmed = text.trim();
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : text;
}

interface Registered {
  cameraId: string;
  entities: readonly OverlayEntity[];
}

/** The bridge's one OverlaySync, shared by every camera's overlay feature. */
export class OverlayHub {
  readonly sync: OverlaySync;
  readonly #publisher: Publisher;
  readonly #topics: BridgeTopics;
  readonly #registered = new Map<string, Registered>();
  readonly #off: (() => void)[] = [];
  #running = false;

  /** Template values set from Home Assistant, kept here so a restart shows them again (no file: memory only). */
  readonly #valuesFile: string | undefined;
  readonly #values: Record<string, string> = {};

  /** `clients` are the cameras' own clients (one pool and one digest state per camera); the bridge closes them. */
  constructor(
    config: CamflowConfig,
    clients: ReadonlyMap<string, HikvisionClient>,
    publisher: Publisher,
    topics: BridgeTopics,
    logger: Logger,
    valuesFile?: string,
  ) {
    this.#publisher = publisher;
    this.#topics = topics;
    this.#valuesFile = valuesFile;
    const cameras: OverlayCameraSpec[] = [];
    for (const camera of config.cameras) {
      const target = clients.get(camera.id);
      if (camera.type !== 'hikvision' || camera.overlays.length === 0 || target === undefined) continue;
      cameras.push(overlayCameraSpec(camera, target));
    }
    this.sync = new OverlaySync({
      cameras,
      intervalMs: config.overlay_sync.interval,
      timeoutMs: config.overlay_sync.timeout,
      resyncMs: config.overlay_sync.resync,
      logger: logger.child('overlay'),
      logUpdates: false,
    });
  }

  get empty(): boolean {
    return this.sync.cameras().length === 0;
  }

  start(): void {
    if (this.#running || this.empty) return;
    this.#running = true;
    this.#off.push(
      this.sync.on('cycle', (report) => this.#onCycle(report)),
      this.sync.on('overlay', (outcome) => {
        if (outcome.status !== 'failed') void this.#publisher.state(this.#topics.camera(outcome.cameraId).overlayShown(outcome.overlayId), outcome.text);
      }),
      this.sync.on('camera-state', (change) => {
        if (change.reason !== undefined) void this.#publisher.state(this.#topics.camera(change.cameraId).lastError, `overlay sync: ${change.reason}`.slice(0, 255));
      }),
    );
    this.sync.start();
  }

  async stop(): Promise<void> {
    this.#running = false;
    for (const off of this.#off.splice(0)) off();
    await this.sync.stop();
  }

  register(cameraId: string, entities: readonly OverlayEntity[]): void {
    this.#registered.set(cameraId, { cameraId, entities });
  }

  /** The values set before the last stop, set again (before the first cycle, so nothing shows `--`). */
  async restoreValues(): Promise<void> {
    if (this.#valuesFile === undefined) return;
    let saved: unknown;
    try {
      saved = JSON.parse(await readFile(this.#valuesFile, 'utf8'));
    } catch {
      return; // none yet, or unreadable: start without
    }
    if (typeof saved !== 'object' || saved === null) return;
    for (const [name, text] of Object.entries(saved)) if (typeof text === 'string') await this.setValue(name, text, false);
  }

  /** Sets a template value; every overlay on every camera that shows it follows. */
  async setValue(name: string, text: string, save = true): Promise<void> {
    this.sync.setValue(name, parseTemplateValue(text));
    this.#values[name] = text;
    if (save) await this.#saveValues();
    for (const { cameraId, entities } of this.#registered.values()) {
      for (const entity of entities) {
        if (entity.mode === 'value' && entity.valueName === name) await this.#publisher.state(this.#topics.camera(cameraId).overlay(entity.id), text);
      }
    }
  }

  async #saveValues(): Promise<void> {
    if (this.#valuesFile === undefined) return;
    try {
      await mkdir(dirname(this.#valuesFile), { recursive: true });
      await writeFile(`${this.#valuesFile}.part`, JSON.stringify(this.#values));
      await rename(`${this.#valuesFile}.part`, this.#valuesFile);
    } catch {
      // Best effort: the value is set on the cameras either way; only a restart would not show it.
    }
  }

  async #onCycle(report: CycleReport): Promise<void> {
    for (const [cameraId, ms] of Object.entries(report.cameras)) {
      // A failed cycle took no real time to write anything: its figure would read as a fast camera.
      if (report.errors[cameraId] !== undefined) continue;
      await this.#publisher.state(this.#topics.camera(cameraId).overlayMs, String(Math.round(ms)));
    }
  }
}

export class OverlayFeature implements Feature {
  readonly #context: CameraContext;
  readonly #hub: OverlayHub;
  /** The device's entities as they are now (their `max` follows the limit the camera reports). */
  readonly #entities: () => readonly OverlayEntity[];
  readonly #templates: ReadonlyMap<number, Template>;
  #enabled = true;

  constructor(context: CameraContext, hub: OverlayHub, entities: () => readonly OverlayEntity[]) {
    this.#context = context;
    this.#hub = hub;
    this.#entities = entities;
    const overlays = context.camera.type === 'hikvision' ? context.camera.overlays : [];
    this.#templates = new Map(overlays.map((o) => [o.id, Template.parse(o.text)]));
  }

  async start(): Promise<void> {
    const c = this.#context;
    this.#hub.register(c.camera.id, this.#entities());
    await c.publisher.state(c.topics.overlaySync, 'ON');
    const templates = new Map(c.camera.type === 'hikvision' ? c.camera.overlays.map((o) => [o.id, o.text]) : []);
    for (const entity of this.#entities()) {
      const current = entity.mode === 'value' ? this.#hub.sync.getValue(entity.valueName ?? '') : templates.get(entity.id);
      if (current !== null && current !== undefined) await c.publisher.state(c.topics.overlay(entity.id), String(current));
    }
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * The camera is back after being unreachable: it may have rebooted and lost its overlays, and the
   * engine would only write what changed since. Re-enabling makes it re-read the device and write all.
   */
  resync(): Promise<void> {
    const id = this.#context.camera.id;
    if (this.#enabled) {
      this.#hub.sync.setEnabled(id, false);
      this.#hub.sync.setEnabled(id, true);
    }
    return Promise.resolve();
  }

  async handle(command: BridgeCommand): Promise<void> {
    const c = this.#context;
    if (command.kind === 'overlay_sync') {
      this.#enabled = command.enabled;
      this.#hub.sync.setEnabled(c.camera.id, command.enabled);
      await c.publisher.state(c.topics.overlaySync, command.enabled ? 'ON' : 'OFF');
      return;
    }
    if (command.kind !== 'overlay_text') return;
    const entity = this.#entities().find((e) => e.id === command.overlay);
    if (entity?.mode === 'value' && entity.valueName !== undefined) {
      this.#checkRenderedLength(entity, entity.valueName, command.text);
      await this.#hub.setValue(entity.valueName, command.text);
      return;
    }
    // Throws a TemplateError (a clear message for camflow/bridge/error) for a broken `{{...}}`.
    this.#hub.sync.setOverlayText(c.camera.id, command.overlay, command.text);
    await c.publisher.state(c.topics.overlay(command.overlay), command.text);
  }

  /**
   * The value is shown inside the template, and a number format may change its length (`3` with
   * `:0.1` is `3.0`): what the camera would show must fit, or the command is refused, not truncated.
   */
  #checkRenderedLength(entity: OverlayEntity, name: string, text: string): void {
    const template = this.#templates.get(entity.id);
    if (template === undefined) return;
    const limit = entity.max + (entity.reserved ?? 0);
    const shown = renderWith(template, name, parseTemplateValue(text), this.#hub.sync.cycle);
    const length = [...shown].length;
    if (length > limit) throw new Error(`overlay ${entity.id} would show ${length} characters (${JSON.stringify(shown)}), the camera takes at most ${limit}`);
  }
}
