import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { startNode } from '../shared/define.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface SnapshotDef extends NodeDef {
  camera: string;
}

export const SNAPSHOT_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const SNAPSHOT_DEFAULTS = { camera: '' };
export const snapshotMigrations: readonly Migration[] = [withDefaults(SNAPSHOT_DEFAULTS)];

/** Any input -> `msg.payload` a JPEG Buffer from the camera. */
export default function register(RED: NodeAPI): void {
  function SnapshotNode(this: Node, raw: SnapshotDef): void {
    const { config, life } = startNode(RED, this, raw, snapshotMigrations, SNAPSHOT_DEFAULTS);
    life.handleInput(async (msg, send, signal) => {
      const handle = cameraFrom(RED, config.camera, life);
      this.status({ fill: 'blue', shape: 'dot', text: 'camflow.status.working' });
      // Any kind: a Hikvision channel's snapshot, or a P2P camera's newest photo (connecting first).
      const jpeg = await handle.camera().snapshot({ signal });
      this.status({});
      send({ ...msg, payload: jpeg, filename: `${handle.label}-${Date.now()}.jpg`, camera: handle.label });
    });
  }
  RED.nodes.registerType('camflow-snapshot', SnapshotNode);
}
