import { z } from 'zod';
import { cameraConfig } from './camera.js';
import { duration } from './common.js';
import { detectConfig } from './detect.js';
import { pipelineConfig } from './pipeline.js';
import { isLoopbackAddress, statusConfig } from './status.js';

export const overlaySyncConfig = z.strictObject({
  interval: duration('1s'),
  timeout: duration('3s'),
  resync: duration('5m'),
});

export const mqttConfig = z.strictObject({
  url: z
    .string()
    .regex(/^(mqtts?|wss?|tcp|tls):\/\/[^/\s]+/, 'expected a broker URL such as mqtt://broker.lan:1883')
    .optional()
    .meta({ description: 'Broker URL. Leave out to start the embedded broker.' }),
  username: z.string().optional(),
  password: z.string().optional(),
  client_id: z.string().optional(),
  persistent_session: z
    .boolean()
    .default(true)
    .meta({ description: 'Keep the MQTT session so QoS 1 commands sent while the bridge is away are carried out when it is back (at most 5 minutes old)' }),
  base_topic: z.string().regex(/^[^#+]+$/, 'must not contain MQTT wildcards').default('camflow'),
  discovery_prefix: z.string().regex(/^[^#+]+$/, 'must not contain MQTT wildcards').default('homeassistant'),
  embedded: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65_535).default(1883).meta({ description: '0 picks a free port' }),
    })
    .prefault({}),
  snapshot_interval: duration('60s'),
  record_duration: duration('30s').meta({ description: 'Length of a clip from the record button' }),
  download_span: duration('12h').meta({ description: 'How far back the Download recordings button reaches' }),
  detection_hold: duration('30s').meta({ description: "How long a label's binary_sensor (Person, Vehicle, ...) stays on after its last detection" }),
});

export const logConfig = z.strictObject({
  level: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
});

export const camflowConfig = z
  .strictObject({
    cameras: z.array(cameraConfig).default([]),
    overlay_sync: overlaySyncConfig.prefault({}),
    mqtt: mqttConfig.optional(),
    pipeline: pipelineConfig.prefault({}),
    detect: detectConfig.prefault({}),
    log: logConfig.prefault({}),
    status: statusConfig.prefault({}),
  })
  .superRefine((config, ctx) => {
    if (config.status.enabled && !isLoopbackAddress(config.status.host) && config.status.token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['status', 'token'],
        message: `the status page on ${config.status.host} (not loopback) needs a token: set status.token to \${CAMFLOW_STATUS_TOKEN}`,
        input: config.status,
      });
    }
    const seen = new Map<string, number>();
    config.cameras.forEach((camera, index) => {
      const first = seen.get(camera.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['cameras', index, 'id'],
          message: `duplicate camera id (also cameras[${first}].id)`,
          input: camera.id,
        });
      } else seen.set(camera.id, index);
      if (camera.type === 'p2p' && camera.relay === true && camera.servers.length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['cameras', index, 'relay'],
          message: 'relay needs directory servers to relay through: add servers (host:port), or leave relay out',
          input: camera.relay,
        });
      }
      if (camera.type !== 'hikvision') return;
      const overlayIds = new Set<number>();
      camera.overlays.forEach((overlay, overlayIndex) => {
        if (overlayIds.has(overlay.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['cameras', index, 'overlays', overlayIndex, 'id'],
            message: 'duplicate overlay id on this camera',
            input: overlay.id,
          });
        }
        overlayIds.add(overlay.id);
      });
    });
  });

export type CamflowConfig = z.output<typeof camflowConfig>;
export type OverlaySyncConfig = z.output<typeof overlaySyncConfig>;
export type MqttConfig = z.output<typeof mqttConfig>;

/** JSON Schema of camflow.yaml for editors (VS Code's YAML extension, `# yaml-language-server: $schema=`). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(camflowConfig, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
}
