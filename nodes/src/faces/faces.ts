import { join } from 'node:path';
import { ConfigError, detectionFor, enrolFace } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { startNode } from '../shared/define.js';
import { acquirePipeline, releasePipeline, runningPipeline } from '../shared/pipeline.js';
import { withDefaults, type Migration } from '../shared/version.js';

export type FaceAction = 'enrol' | 'list' | 'remove';

export interface FacesDef extends NodeDef {
  action: FaceAction;
  /** The person, unless msg.name says. */
  person: string;
  /** Enrol from this camera's snapshot when msg.payload is not a JPEG. */
  camera: string;
}

export const FACES_VERSION = 1;
export const FACES_DEFAULTS = { action: 'enrol', person: '', camera: '' };
export const facesMigrations: readonly Migration[] = [withDefaults(FACES_DEFAULTS)];

const ACTIONS: readonly FaceAction[] = ['enrol', 'list', 'remove'];

/**
 * The people detection recognises: enrol one (a JPEG in msg.payload, or the selected camera's
 * snapshot) as a `face-enroll` job, list them, remove one. The face data is the pipeline's
 * (`<userDir>/camflow/faces.json`), the same file `camflow faces` uses with that data dir.
 */
export default function register(RED: NodeAPI): void {
  function FacesNode(this: Node, raw: FacesDef): void {
    const { config, life } = startNode(RED, this, raw, facesMigrations, FACES_DEFAULTS);
    acquirePipeline(RED);
    life.onClose(() => releasePipeline());

    life.handleInput(async (msg, send, signal) => {
      const pipeline = await runningPipeline();
      if (pipeline === undefined) throw new ConfigError(RED._('faces.errors.noPipeline'));
      const action = (typeof msg.action === 'string' ? msg.action : config.action) as FaceAction;
      if (!ACTIONS.includes(action)) throw new ConfigError(RED._('faces.errors.badAction', { action: String(action) }));
      const store = detectionFor(pipeline.services).faces;
      if (action === 'list') {
        const people = await store.list();
        this.status({ fill: 'green', shape: 'dot', text: RED._('faces.status.listed', { count: people.length }) });
        send({ ...msg, payload: people });
        return;
      }
      const name = (typeof msg.name === 'string' && msg.name.trim() !== '' ? msg.name : config.person).trim();
      if (name === '') throw new ConfigError(RED._('faces.errors.noName'));
      if (action === 'remove') {
        const removed = await store.remove(name);
        this.status({ fill: removed ? 'green' : 'grey', shape: 'dot', text: RED._(removed ? 'faces.status.removed' : 'faces.status.unknown', { name }) });
        send({ ...msg, payload: { name, removed } });
        return;
      }
      this.status({ fill: 'blue', shape: 'dot', text: RED._('faces.status.enrolling', { name }) });
      let enrolment: { name: string; jpeg: Buffer } | { name: string; camera: string };
      if (Buffer.isBuffer(msg.payload)) enrolment = { name, jpeg: msg.payload };
      else if (config.camera !== '') {
        cameraFrom(RED, config.camera, life); // a clear error when the camera node is missing
        enrolment = { name, camera: config.camera };
      } else throw new ConfigError(RED._('faces.errors.noPicture'));
      const result = await enrolFace(pipeline.engine, enrolment, join(pipeline.services.mediaDir, 'faces-inbox'), { signal });
      this.status({ fill: 'green', shape: 'dot', text: RED._('faces.status.enrolled', { name: result.name, samples: result.samples }) });
      send({ ...msg, payload: result });
    });
  }
  RED.nodes.registerType('camflow-faces', FacesNode);
}
