import { z } from 'zod';
import { parseDuration } from './duration.js';

/** A duration (`1s`, `500ms`, `5m`, or ms as a number) parsed to milliseconds. */
export const durationSchema = z
  .union([z.string(), z.number()])
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: 'expected a duration such as 500ms, 1s, 5m or 1h', input: value });
      return z.NEVER;
    }
    return ms;
  })
  .meta({ description: 'A duration: 500ms, 1s, 1.5s, 5m, 1h, or a number of milliseconds' });

/** An optional duration with a default written the way a user would write it. */
export function duration(defaultValue: string) {
  return durationSchema.prefault(defaultValue);
}

export const port = z.number().int().min(1).max(65_535);

/** `host:port`, as directory servers are written. */
export const hostPort = z
  .string()
  .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'expected host:port, e.g. 203.0.113.5:32100');

/**
 * TLS for a camera: `false` (plain HTTP), `true` (HTTPS with the system CAs), or HTTPS with a CA file,
 * a pinned SHA-256 certificate fingerprint (self-signed cameras), or verification explicitly off.
 */
export const tlsOption = z
  .union([
    z.boolean(),
    z.strictObject({ ca: z.string().min(1).meta({ description: 'Path to a PEM CA file' }) }),
    z.strictObject({
      fingerprint256: z
        .string()
        .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'expected a SHA-256 fingerprint: 32 hex pairs joined by colons'),
    }),
    z.strictObject({ insecure: z.literal(true) }),
  ])
  .default(false);

export type TlsOption = z.output<typeof tlsOption>;

/** Ids the front-ends use for themselves: `camflow/bridge/...` is the MQTT bridge's own device. */
const RESERVED_IDS = new Set(['bridge']);

export const cameraIdSchema = z
  .string()
  .regex(/^[a-z0-9_-]+$/, 'use lower-case letters, digits, _ and - only')
  .max(64)
  .refine((id) => !RESERVED_IDS.has(id), { message: 'is reserved for camflow itself; choose another id' });
