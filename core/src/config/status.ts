import { z } from 'zod';

/**
 * The `status:` section: the bridge's (and worker's) live status page. On by default, on loopback only;
 * any other address needs a token, because the page can cancel and retry jobs and shows snapshots.
 */
export const statusConfig = z.strictObject({
  enabled: z.boolean().default(true).meta({ description: 'Serve the status page from camflow bridge and camflow worker' }),
  host: z.string().min(1).default('127.0.0.1').meta({ description: 'Address to listen on. Anything but loopback needs a token' }),
  port: z.number().int().min(0).max(65_535).default(8099).meta({ description: '0 picks a free port (printed at start)' }),
  token: z
    .string()
    .min(16, 'use at least 16 characters')
    .optional()
    .meta({ description: 'Asked of every request and of the live channel; put it in ${CAMFLOW_STATUS_TOKEN}. Required off loopback' }),
});

export type StatusConfig = z.output<typeof statusConfig>;

/** Loopback addresses and names: the only ones served without a token. */
export function isLoopbackAddress(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}
