import { ConfigError, type PathMode } from '@camflow/core';
import { cameraFrom } from '../camera/camera.js';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { startNode } from '../shared/define.js';
import { withDefaults, type Migration } from '../shared/version.js';

export interface ConnectDef extends NodeDef {
  camera: string;
  lan: boolean;
  direct: boolean;
  p2p: boolean;
  relay: boolean;
}

export const CONNECT_VERSION = 1;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const CONNECT_DEFAULTS = { camera: '', lan: true, direct: true, p2p: true, relay: true };
export const connectMigrations: readonly Migration[] = [withDefaults(CONNECT_DEFAULTS)];

const ALL_MODES: readonly PathMode[] = ['lan', 'direct', 'p2p', 'relay'];

/** The path modes to race: `msg.modes` (array of names) or the node's checkboxes. */
export function pathModes(config: ConnectDef, requested: unknown): PathMode[] {
  if (requested !== undefined) {
    const list = Array.isArray(requested) ? requested : [requested];
    const bad = list.filter((m) => !ALL_MODES.includes(m as PathMode));
    if (bad.length > 0 || list.length === 0) {
      throw new ConfigError(`msg.modes must list some of ${ALL_MODES.join(', ')}, got ${JSON.stringify(requested)}`);
    }
    return list as PathMode[];
  }
  const modes = ALL_MODES.filter((mode) => config[mode] !== false);
  if (modes.length === 0) throw new ConfigError('select at least one path (LAN, direct, P2P or relay)');
  return modes;
}

/** Races the paths to a P2P camera, logs in, and outputs the racer's report. */
export default function register(RED: NodeAPI): void {
  function ConnectNode(this: Node, raw: ConnectDef): void {
    const { config, life } = startNode(RED, this, raw, connectMigrations, CONNECT_DEFAULTS);
    life.handleInput(async (msg, send, signal) => {
      const camera = cameraFrom(RED, config.camera, life);
      const modes = pathModes(config, msg['modes']);
      this.status({ fill: 'yellow', shape: 'ring', text: 'camflow.status.connecting' });
      const report = await camera.connect(signal, { modes, fresh: msg['reconnect'] === true });
      this.status({
        fill: 'green',
        shape: 'dot',
        text: RED._('connect.status.connected', { mode: report.mode, ms: Math.round(report.elapsedMs) }),
      });
      send({ ...msg, payload: report, camera: camera.label });
    });
  }
  RED.nodes.registerType('camflow-connect', ConnectNode);
}
