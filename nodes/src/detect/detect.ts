import { ConfigError, type Detection, detectionFor, type DetectFrame } from '@camflow/core';
import { readFile } from 'node:fs/promises';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { startNode } from '../shared/define.js';
import { acquirePipeline, releasePipeline, runningPipeline } from '../shared/pipeline.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface DetectDef extends NodeDef {
  camera: string;
  labels: string;
  minScore: string | number;
  faces: boolean;
}

export const DETECT_VERSION = 1;
export const DETECT_DEFAULTS = { camera: '', labels: 'person, car, dog, cat', minScore: 0.4, faces: true };
export const detectMigrations: readonly Migration[] = [withDefaults(DETECT_DEFAULTS)];

/** `person, car` -> ['person', 'car']; empty -> every label. */
export function labelList(text: string): string[] {
  const labels = text.split(',').map((l) => l.trim().toLowerCase()).filter((l) => l !== '');
  return labels.length === 0 ? ['*'] : labels;
}

/**
 * Input a JPEG (`msg.payload`) or anything else (the configured camera's snapshot); output
 * `msg.detections` and the annotated JPEG as `msg.payload`. The detector runs in the worker threads
 * of the Node-RED process's pipeline, never on its event loop; core decides labels, zones and faces.
 */
export default function register(RED: NodeAPI): void {
  function DetectNode(this: Node, raw: DetectDef): void {
    const { config, life } = startNode(RED, this, raw, detectMigrations, DETECT_DEFAULTS);
    // The detector runs on the pipeline's worker pool: held while this node is deployed.
    acquirePipeline(RED);
    life.onClose(() => releasePipeline());
    const minScore = Number(config.minScore);
    const settings = {
      labels: labelList(config.labels),
      minScore: Number.isFinite(minScore) && minScore >= 0 && minScore <= 1 ? minScore : 0.4,
      zones: [],
      faces: config.faces !== false,
    };
    life.handleInput(async (msg, send, signal) => {
      const started = performance.now();
      this.status({ fill: 'blue', shape: 'dot', text: 'camflow.status.working' });
      let jpeg: Buffer;
      let camera = 'node-red';
      if (Buffer.isBuffer(msg.payload)) jpeg = msg.payload;
      else if (config.camera !== '') {
        const handle = cameraFrom(RED, config.camera, life);
        camera = handle.label;
        jpeg = await handle.camera().snapshot({ signal });
      } else throw new ConfigError(RED._('detect.errors.noPicture'));
      const pipeline = await runningPipeline();
      if (pipeline === undefined) throw new ConfigError(RED._('detect.errors.noPipeline'));
      const frames: DetectFrame[] = [{ jpeg, at: new Date() }];
      const detections: Detection[] = await detectionFor(pipeline.services).detect(camera, `node-red-${Date.now()}`, frames, signal, settings);
      const best = [...detections].sort((a, b) => b.score - a.score)[0];
      const annotated = best?.snapshot === undefined ? jpeg : await readFile(best.snapshot);
      const ms = Math.round(performance.now() - started);
      const summary = detections.length === 0 ? RED._('detect.status.nothing') : detections.map((d) => `${d.face?.known === true ? d.face.name : d.label} ${Math.round(d.score * 100)}%`).join(', ');
      this.status({ fill: detections.length === 0 ? 'grey' : 'green', shape: 'dot', text: `${summary} (${ms} ms)` });
      send({
        ...msg,
        payload: annotated,
        detections: detections.map((d) => ({ label: d.label, score: d.score, box: d.box, ...(d.zone === undefined ? {} : { zone: d.zone }), ...(d.face === undefined ? {} : { face: d.face }) })),
        camera,
      });
    });
  }
  RED.nodes.registerType('camflow-detect', DetectNode);
}
