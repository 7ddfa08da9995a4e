#!/usr/bin/env node
import { simulatorCommands } from './cli-commands.js';

/**
 * `camflow-sim KIND [options]` starts simulated devices in the foreground until Ctrl-C. Each kind
 * (hikvision, trailcam, ...) registers itself in cli-commands.ts.
 */
const [kind, ...rest] = process.argv.slice(2);
const command = simulatorCommands.find((c) => c.kind === kind);
if (command === undefined) {
  const kinds = simulatorCommands.map((c) => `  camflow-sim ${c.usage}`).join('\n');
  process.stderr.write(`usage:\n${kinds}\n`);
  process.exit(kind === undefined || kind === '--help' ? 0 : 2);
}
const controller = new AbortController();
const onSignal = (): void => controller.abort();
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);
try {
  await command.run(rest, controller.signal, (line) => process.stdout.write(`${line}\n`));
} catch (error) {
  process.stderr.write(`camflow-sim ${command.kind}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
