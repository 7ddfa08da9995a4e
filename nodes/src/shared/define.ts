import type { NodeAPI, NodeDef } from '../red.js';
import { migrateConfig, withDefaults, type ConfigRecord, type Migration } from './version.js';

/**
 * A node's config after migration to the current version, with any property still missing (a flow
 * written by hand or by another tool) set to its default, so the node never reads `undefined`.
 */
export function currentConfig<T extends NodeDef>(raw: T, migrations: readonly Migration[], defaults: ConfigRecord): T {
  const migrated = migrateConfig({ ...raw } as unknown as ConfigRecord, migrations);
  return withDefaults(defaults)(migrated) as unknown as T;
}

/** Reads a positive number from a config field the editor stores as text. */
export function positiveNumber(value: unknown, fallback: number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

export type { NodeAPI };
