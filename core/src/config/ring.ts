import { z } from 'zod';
import { duration } from './common.js';

/**
 * A Ring doorbell or camera reached through Ring's cloud (ring-client-api). No credentials live here:
 * `camflow ring login` stores the refresh token in the data directory (mode 0600).
 */
export const ringCameraConfig = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9_-]+$/, 'use lower-case letters, digits, _ and - only')
    .max(64)
    .refine((id) => id !== 'bridge', { message: 'is reserved for camflow itself; choose another id' })
    .meta({ description: 'camflow id of this camera (topics, job records, file names)' }),
  name: z.string().min(1).optional().meta({ description: 'Display name. Default: the name the Ring app shows' }),
  type: z.literal('ring'),
  device: z
    .union([z.string().min(1), z.number().int().positive()])
    .transform((value) => String(value))
    .meta({ description: 'The Ring device: its numeric device id or its name as the Ring app shows it' }),
  data_dir: z
    .string()
    .min(1)
    .optional()
    .meta({ description: "Folder holding the Ring refresh token and the event watermark. Default: the pipeline's data_dir" }),
  timeout: duration('15s').meta({ description: 'Time for one call to Ring (snapshot, history, recording link)' }),
  push: z
    .boolean()
    .default(true)
    .meta({ description: "Receive dings and motion at once through Ring's push channel, as the Ring app does; the watchdog also catches what it misses" }),
  event_hold: duration('20s').meta({ description: 'How long a ding or motion counts as active (the Motion sensor stays on)' }),
  watchdog: duration('60s').meta({
    description: 'How often the event history is polled for dings and motion the push channel missed (0 turns it off)',
  }),
});

export type RingCameraConfig = z.output<typeof ringCameraConfig>;
