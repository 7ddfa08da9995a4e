/**
 * Node configs carry a `version`. A flow saved by an older release is migrated step by step when it is
 * deployed (migration `i` turns version `i` into `i + 1`), so old flows keep working and each step is
 * tested on its own. A config without a version is version 0 (written by hand or by another tool).
 */
export type ConfigRecord = Record<string, unknown>;
export type Migration = (config: ConfigRecord) => ConfigRecord;

export function migrateConfig(config: ConfigRecord, migrations: readonly Migration[]): ConfigRecord {
  const raw = config['version'];
  let version = typeof raw === 'number' && Number.isInteger(raw) && raw >= 0 ? raw : Number(raw) || 0;
  let current = { ...config };
  while (version < migrations.length) {
    const step = migrations[version];
    if (step === undefined) break;
    current = { ...step(current), version: version + 1 };
    version += 1;
  }
  return current;
}

/** Fills properties a v0 config lacks with the defaults the editor would have written. */
export function withDefaults(defaults: ConfigRecord): Migration {
  return (config) => {
    const filled = { ...config };
    for (const [key, value] of Object.entries(defaults)) {
      if (filled[key] === undefined || filled[key] === '') filled[key] = value;
    }
    return filled;
  };
}
