import { z } from 'zod';
import { isValidTimeZone } from '../cameras/hikvision/recordings-time.js';
import { templateProblem } from '../overlay/template.js';
import { cameraIdSchema, duration, hostPort, port, tlsOption } from './common.js';
import { ringCameraConfig } from './ring.js';
import { rtspCameraConfig } from './rtsp.js';

const cameraId = cameraIdSchema;

const credentials = {
  username: z.string().min(1),
  password: z.string(),
};

/** Text overlays the overlay sync keeps current. `text` is a template (see overlay/template). */
export const overlayConfig = z.strictObject({
  id: z.number().int().min(1).max(8),
  text: z.string().superRefine((text, ctx) => {
    const problem = templateProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
  }),
  overflow: z.enum(['truncate', 'error']).default('truncate'),
  enabled: z.boolean().default(true),
});

export const hikvisionCameraConfig = z.strictObject({
  id: cameraId,
  name: z.string().min(1).optional(),
  type: z.literal('hikvision'),
  host: z.string().min(1),
  port: port.optional().meta({ description: 'Default: 80, or 443 with tls' }),
  tls: tlsOption,
  ...credentials,
  channel: z.number().int().min(1).default(1),
  timeout: duration('5s'),
  connections: z.number().int().min(1).max(32).default(4),
  auth_backoff: duration('5m'),
  allow_basic_over_http: z
    .boolean()
    .default(false)
    .meta({ description: 'Answer a Basic login challenge over plain HTTP (sends the password readable). Default: refused' }),
  overlays: z.array(overlayConfig).default([]),
  time_zone: z
    .string()
    .refine(isValidTimeZone, 'expected local, utc or an IANA time zone such as Europe/Berlin')
    .optional()
    .meta({ description: "The clock the NVR reads recording search times in: local (this host's zone, the default), utc, or an IANA zone. Many NVRs read ISAPI's UTC times as their own wall clock" }),
});

const ipv4Cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/, 'expected an IPv4 CIDR such as 192.168.1.0/24');

export const p2pCameraConfig = z.strictObject({
    id: cameraId,
    name: z.string().min(1).optional(),
    type: z.literal('p2p'),
    did: z
      .string()
      .regex(/^[A-Z]{1,8}-\d{6}-[A-Z]{5}$/i, 'expected a device id such as LBCS-000000-CCCJJ')
      .meta({ description: 'The device id printed on the camera or shown in its app (PREFIX-NUMBER-CHECK, e.g. LBCS-000000-CCCJJ)' }),
    host: z.string().min(1).optional().meta({ description: "The camera's IP address on your network when known (e.g. its Wi-Fi AP 192.168.43.1): tried directly besides the LAN search" }),
    lan_port: port.optional().meta({ description: 'UDP port the camera answers LAN searches on. Default 32108' }),
    ports: z.array(port).min(1).optional().meta({ description: "UDP ports of the camera's session, tried directly when host is set. Default 40611" }),
    servers: z
      .array(hostPort)
      .default([])
      .meta({ description: 'P2P directory servers (host:port) the camera registers with, for P2P and relay paths from outside its network. Empty: LAN and direct only' }),
    relay: z
      .boolean()
      .optional()
      .meta({ description: 'Allow the relay path through a directory server when nothing else connects. Default: on when servers are given; true without servers is an error' }),
    username: z.string().min(1).default('admin'),
    password: z.string(),
    timeout: duration('10s'),
    stagger: duration('0ms').meta({ description: 'Delay between starting the paths of a connection race (0: all at once; UDP probes are cheap)' }),
    lan_grace: duration('0ms').meta({ description: 'Keep media on the LAN: hold a P2P or relay success this long for a LAN or direct one. 0: first path wins' }),
    allowed_cidrs: z.array(ipv4Cidr).optional().meta({ description: 'Accept only paths whose camera address lies in these IPv4 networks (e.g. [192.168.1.0/24])' }),
});

export const cameraConfig = z.discriminatedUnion('type', [hikvisionCameraConfig, p2pCameraConfig, rtspCameraConfig, ringCameraConfig]);

export type OverlayConfig = z.output<typeof overlayConfig>;
export type HikvisionCameraConfig = z.output<typeof hikvisionCameraConfig>;
export type P2pCameraConfig = z.output<typeof p2pCameraConfig>;
export type CameraConfig = z.output<typeof cameraConfig>;
export type { RtspCameraConfig } from './rtsp.js';
export type { RingCameraConfig } from './ring.js';
