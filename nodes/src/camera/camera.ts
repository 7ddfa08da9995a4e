import { join } from 'node:path';
import { ConfigError, type TlsOption } from '@camflow/core';
import type { Node, NodeAPI, NodeDef } from '../red.js';
import { nodeLogger } from '../shared/logger.js';
import { currentConfig } from '../shared/define.js';
import { withDefaults, type Migration } from '../shared/version.js';
import { CameraHandle, type CameraKind } from './handle.js';
import { acquirePipeline, releasePipeline } from '../shared/pipeline.js';

export interface CameraCredentials {
  username: string;
  password: string;
}

export interface CameraDef extends NodeDef {
  kind: CameraKind;
  host: string;
  port: string | number;
  tls: boolean;
  /** With tls: 'system' (the system CAs), 'fingerprint', 'ca' or 'insecure'. */
  verify: string;
  fingerprint: string;
  ca: string;
  /** P2P: directory servers, comma or space separated `host:port`. */
  servers: string;
  relay: boolean;
  lanPort: string | number;
  /** P2P: keep media on the LAN (seconds to wait for a LAN/direct path), stagger between paths (ms), allowed networks. */
  lanGrace: string | number;
  stagger: string | number;
  cidrs: string;
  channel: string | number;
  did: string;
  /** RTSP: the stream URL and the pre-event buffer (seconds). */
  url: string;
  preEvent: string | number;
  /** Ring: the device's name in the Ring app, or its id. */
  device: string;
  timeout: string | number;
}

export const CAMERA_VERSION = 3;
/** What the editor writes for a new node; also fills what an older or hand-written config lacks. */
export const CAMERA_DEFAULTS = {
  kind: 'hikvision',
  host: '',
  port: '',
  tls: false,
  verify: 'system',
  fingerprint: '',
  ca: '',
  channel: 1,
  did: '',
  servers: '',
  relay: false,
  lanPort: '',
  lanGrace: 0,
  stagger: 0,
  cidrs: '',
  url: '',
  preEvent: 0,
  device: '',
  timeout: 5,
};
export const cameraMigrations: readonly Migration[] = [
  // 0 -> 1: what a hand-written config lacks.
  withDefaults({ kind: 'hikvision', host: '', port: '', tls: false, channel: 1, did: '', timeout: 5 }),
  // 1 -> 2: certificate checking choices, and P2P servers, relay and LAN port (defaults behave as before).
  withDefaults({ verify: 'system', fingerprint: '', ca: '', servers: '', relay: false, lanPort: '', lanGrace: 0, stagger: 0, cidrs: '' }),
  // 2 -> 3: RTSP and Ring cameras (their fields empty for the kinds before).
  withDefaults({ url: '', preEvent: 0, device: '' }),
];

const KINDS: readonly CameraKind[] = ['hikvision', 'p2p', 'rtsp', 'ring'];

/** The node's HTTPS choices as core's TLS option. */
export function tlsOptionOf(def: Pick<CameraDef, 'tls' | 'verify' | 'fingerprint' | 'ca'>): TlsOption {
  if (def.tls !== true) return false;
  switch (def.verify) {
    case 'fingerprint':
      return { fingerprint256: String(def.fingerprint).trim().toUpperCase() };
    case 'ca':
      return { ca: String(def.ca).trim() };
    case 'insecure':
      return { insecure: true };
    default:
      return true;
  }
}

/** A config node that carries the camera handle other camflow nodes use. */
export interface CameraNode extends Node<CameraCredentials> {
  camera: CameraHandle;
}

function optionalNumber(value: unknown): number | undefined {
  if (value === '' || value === undefined || value === null) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** `userDir`: Node-RED's; a Ring login is kept in `<userDir>/camflow` (`camflow ring login --data-dir` there). */
export function cameraHandleFor(node: Node<CameraCredentials>, def: CameraDef, userDir?: string): CameraHandle {
  const port = optionalNumber(def.port);
  return new CameraHandle(
    {
      name: def.name ?? '',
      kind: KINDS.includes(def.kind) ? def.kind : 'hikvision',
      url: String(def.url ?? '').trim(),
      preEventS: optionalNumber(def.preEvent) ?? 0,
      device: String(def.device ?? '').trim(),
      ringDataDir: join(userDir ?? process.cwd(), 'camflow'),
      host: String(def.host).trim(),
      ...(port === undefined ? {} : { port }),
      tls: tlsOptionOf(def),
      servers: String(def.servers ?? '')
        .split(/[\s,]+/)
        .filter((server) => server !== ''),
      relay: def.relay === true,
      ...(optionalNumber(def.lanPort) === undefined ? {} : { lanPort: optionalNumber(def.lanPort) as number }),
      lanGraceMs: (optionalNumber(def.lanGrace) ?? 0) * 1000,
      staggerMs: optionalNumber(def.stagger) ?? 0,
      allowedCidrs: String(def.cidrs ?? '')
        .split(/[\s,]+/)
        .filter((cidr) => cidr !== ''),
      channel: optionalNumber(def.channel) ?? 1,
      did: String(def.did).trim(),
      username: node.credentials.username ?? '',
      password: node.credentials.password ?? '',
      timeoutMs: (optionalNumber(def.timeout) ?? 5) * 1000,
    },
    nodeLogger(node),
  );
}

/**
 * The camera handle behind a node's `camera` property, or a ConfigError saying what is missing. The
 * node's lifecycle becomes a user of the camera, so the camera closes only after the node's work ended.
 */
export function cameraFrom(RED: NodeAPI, id: unknown, user?: { readonly closed: Promise<void> }): CameraHandle {
  const node = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
  const camera = (node as Partial<CameraNode> | null)?.camera;
  if (!(camera instanceof CameraHandle)) {
    throw new ConfigError(RED._('camflow.errors.noCamera'));
  }
  if (user !== undefined) camera.addUser(user);
  return camera;
}

export default function register(RED: NodeAPI): void {
  function CameraConfigNode(this: CameraNode, raw: CameraDef): void {
    const def = currentConfig(raw, cameraMigrations, CAMERA_DEFAULTS);
    RED.nodes.createNode(this, raw); // the original: the runtime attached its flow to it
    this.camera = cameraHandleFor(this, def, RED.settings?.userDir);
    // Jobs (camflow jobs add, camflow-job nodes) run here while a camera is deployed.
    acquirePipeline(RED);
    this.on('close', (_removed, done) => {
      // The workers stop first (they hand back what they hold), then the camera they used.
      releasePipeline()
        .then(() => this.camera.close())
        .then(done, (error: unknown) => {
        this.error(error);
        done();
      });
    });
  }
  RED.nodes.registerType('camflow-camera', CameraConfigNode, {
    credentials: { username: { type: 'text' }, password: { type: 'password' } },
  });
}
