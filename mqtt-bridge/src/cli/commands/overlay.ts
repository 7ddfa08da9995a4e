import { parseArgs } from 'node:util';
import { type CamflowConfig, type CameraValidation, type CycleReport, loadConfig, noopLogger, OverlaySync, type TemplateValue } from '@camflow/core';
import { CONFIG_OPTION, type CliIo, type Command, UsageError, writeLine } from '../command.js';

const USAGE =
  'overlay sync --config FILE [--once | --cycles N] [--validate] [--json] [--set NAME=VALUE]... [--camera ID]...';

export const overlaySync: Command = {
  path: ['overlay', 'sync'],
  usage: USAGE,
  summary: "Keep the cameras' text overlays current (until Ctrl-C, or --once / --cycles N)",
  options: [
    CONFIG_OPTION,
    ['--once', 'one cycle, then exit: 0 only if every camera was synced'],
    ['--cycles N', 'N cycles, then exit (default: until Ctrl-C)'],
    ['--validate', 'check each camera first (reachable, credentials, overlays)'],
    ['--json', 'one JSON line per cycle on stdout, with the cameras that failed and why'],
    ['--set NAME=VALUE', 'a template value ({{value.NAME}}); repeat for more. Unset values show as --'],
    ['--camera ID', 'only this camera; repeat for more (default: every Hikvision camera)'],
  ],
  async run(args, io) {
    const options = parseOptions(args);
    const config = await loadConfig(options.config, { env: io.env });
    // A one-shot run (--once, --cycles N, --validate) reports each camera's problem itself, in one
    // line; the engine's daemon talk ("retrying in 0.9s", "parked for 300 s") is for long runs.
    const oneShot = options.cycles !== undefined || options.validate;
    const quiet = oneShot && io.env['CAMFLOW_LOG_LEVEL'] !== 'debug';
    const engineLogger = io.logger.child('overlay');
    const sync = OverlaySync.fromConfig(config, {
      logger: quiet ? { ...engineLogger, warn: noopLogger.warn, error: noopLogger.error } : engineLogger,
      values: options.values,
      ...(options.cameras.length === 0 ? {} : { cameraIds: options.cameras }),
    });
    warnUnusedValues(config, options.values, io);
    if (sync.cameras().length === 0) {
      writeLine(io.stderr, `✗ ${options.config} has no Hikvision camera to sync`);
      return 1;
    }
    try {
      if (options.validate) {
        const ok = printValidation(await sync.validate(), io);
        if (!ok || options.cycles === undefined) return ok ? 0 : 1;
      }
      return await runCycles(sync, options, io);
    } finally {
      await sync.stop();
    }
  },
};

interface OverlayOptions {
  config: string;
  /** undefined: until stopped. */
  cycles: number | undefined;
  validate: boolean;
  json: boolean;
  values: Record<string, TemplateValue>;
  cameras: string[];
}

function parseOptions(args: string[]): OverlayOptions {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      once: { type: 'boolean', default: false },
      cycles: { type: 'string' },
      validate: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      set: { type: 'string', multiple: true, default: [] },
      camera: { type: 'string', multiple: true, default: [] },
    },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0] ?? ''}'`);
  if (values.config === undefined) throw new UsageError('--config FILE is required');
  if (values.once && values.cycles !== undefined) throw new UsageError('use either --once or --cycles N, not both');
  let cycles: number | undefined = values.once ? 1 : undefined;
  if (values.cycles !== undefined) {
    cycles = Number(values.cycles);
    if (!Number.isInteger(cycles) || cycles < 1) throw new UsageError(`--cycles expects a positive whole number, got '${values.cycles}'`);
  }
  return { config: values.config, cycles, validate: values.validate, json: values.json, values: parseSets(values.set), cameras: values.camera };
}

function parseSets(sets: readonly string[]): Record<string, TemplateValue> {
  const out: Record<string, TemplateValue> = {};
  for (const set of sets) {
    const equals = set.indexOf('=');
    const name = equals === -1 ? '' : set.slice(0, equals);
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new UsageError(`--set expects NAME=VALUE (e.g. --set temperature=21.5), got '${set}'`);
    out[name] = set.slice(equals + 1);
  }
  return out;
}

/** A `--set` no template reads is most likely a typo: said, not silently ignored. */
function warnUnusedValues(config: CamflowConfig, values: Record<string, TemplateValue>, io: CliIo): void {
  const used = new Set<string>();
  for (const camera of config.cameras) {
    if (camera.type !== 'hikvision') continue;
    for (const overlay of camera.overlays) for (const m of overlay.text.matchAll(/\{\{\s*value\.([A-Za-z_][A-Za-z0-9_-]*)/g)) used.add(m[1] ?? '');
  }
  for (const name of Object.keys(values)) {
    if (used.has(name)) continue;
    const known = [...used].sort().join(', ');
    writeLine(io.stderr, `! --set ${name}=...: no overlay template uses {{value.${name}}}${known === '' ? '' : ` (templates use: ${known})`}`);
  }
}

/** One line per camera; returns true when every camera passed. */
function printValidation(results: readonly CameraValidation[], io: CliIo): boolean {
  for (const result of results) {
    const who = result.cameraName === result.cameraId ? `'${result.cameraId}'` : `'${result.cameraName}' (${result.cameraId})`;
    if (result.ok) {
      const overlays = result.deviceOverlays?.join(', ') ?? '';
      writeLine(io.stdout, `✓ ${who}: reachable, credentials accepted, overlays ${overlays}, text limit ${result.textLimit ?? '?'}`);
    } else {
      writeLine(io.stdout, `✗ ${who}: ${result.problems.join('; ')}`);
    }
    for (const warning of result.warnings) writeLine(io.stdout, `  ! ${warning}`);
  }
  return results.every((result) => result.ok);
}

/**
 * Runs `options.cycles` cycles (or until the signal). Exit code 1 when the last cycle left a camera
 * or an overlay not synced: a camera failing in an earlier cycle still counts while it sits out.
 */
async function runCycles(sync: OverlaySync, options: OverlayOptions, io: CliIo): Promise<number> {
  const oneShot = options.cycles !== undefined;
  const print = (report: CycleReport): void => {
    const { cycle, updated, unchanged, failed, cameras, errors } = report;
    if (options.json) writeLine(io.stdout, JSON.stringify({ cycle, durationMs: Math.round(report.durationMs), updated, unchanged, failed, cameras, errors }));
    // Human lines go to stderr, so stdout stays JSON only with --json.
    if (oneShot) for (const [id, why] of Object.entries(errors)) writeLine(io.stderr, `✗ camera '${id}' (cycle ${cycle}): ${why}`);
  };
  const offOverlay = oneShot
    ? sync.on('overlay', (outcome) => {
        if (outcome.status === 'failed') writeLine(io.stderr, `✗ overlay ${outcome.overlayId} on '${outcome.cameraId}' (cycle ${outcome.cycle}): ${outcome.error ?? 'failed'}`);
      })
    : undefined;
  try {
    return await cycles(sync, options, io, print);
  } finally {
    offOverlay?.();
  }
}

async function cycles(sync: OverlaySync, options: OverlayOptions, io: CliIo, print: (report: CycleReport) => void): Promise<number> {
  const succeeded = (report: CycleReport | undefined): boolean => report !== undefined && report.failed === 0 && Object.keys(report.errors).length === 0;
  if (options.cycles === 1) {
    const report = await sync.runOnce();
    print(report);
    return succeeded(report) ? 0 : 1;
  }
  let last: CycleReport | undefined;
  let count = 0;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      off();
      io.signal.removeEventListener('abort', done);
      resolve();
    };
    const off = sync.on('cycle', (report) => {
      print(report);
      last = report;
      count++;
      if (options.cycles !== undefined && count >= options.cycles) done();
    });
    if (io.signal.aborted) {
      done();
      return;
    }
    io.signal.addEventListener('abort', done, { once: true });
    sync.start();
  });
  if (options.cycles === undefined) return 0;
  return succeeded(last) ? 0 : 1;
}
