import type { Node, NodeAPI, NodeDef } from '../red.js';
import { NodeLifecycle } from './lifecycle.js';
import { migrateConfig, withDefaults, type ConfigRecord, type Migration } from './version.js';

/**
 * A node's config after migration to the current version, with any property still missing (a flow
 * written by hand or by another tool) set to its default, so the node never reads `undefined`.
 */
export function currentConfig<T extends NodeDef>(raw: T, migrations: readonly Migration[], defaults: ConfigRecord): T {
  const migrated = migrateConfig({ ...raw } as unknown as ConfigRecord, migrations);
  return withDefaults(defaults)(migrated) as unknown as T;
}

/**
 * The start every flow node shares: its config migrated and completed (from a copy: createNode must
 * still get the original, to which the runtime attached the node's flow), then the node registered
 * with the runtime, then its lifecycle (input funnel, close signal).
 */
export function startNode<T extends NodeDef>(
  RED: NodeAPI,
  node: Node,
  raw: T,
  migrations: readonly Migration[],
  defaults: ConfigRecord,
): { config: T; life: NodeLifecycle } {
  const config = currentConfig(raw, migrations, defaults);
  RED.nodes.createNode(node, raw);
  return { config, life: new NodeLifecycle(node) };
}

/** Reads a positive number from a config field the editor stores as text. */
export function positiveNumber(value: unknown, fallback: number): number {
  const parsed = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
}

export type { NodeAPI };
