#!/usr/bin/env node
import { simulatorCommands } from './cli-commands.js';

/**
 * `camflow-sim KIND [options]` starts simulated devices in the foreground until Ctrl-C. Each kind
 * (hikvision, trailcam, ...) registers itself in cli-commands.ts.
 */
const [kind, ...rest] = process.argv.slice(2);
const command = simulatorCommands.find((c) => c.kind === kind);
const usage = (list = simulatorCommands): string =>
  `usage (user admin; password from CAMFLOW_SIM_PASSWORD, else "password" for hikvision and "admin" for trailcam; free ports unless given):\n${list.map((c) => `  camflow-sim ${c.usage}`).join('\n')}\n`;
if (command === undefined) {
  // Asked for help: stdout, success. Nothing or a wrong kind: a mistake, so stderr and exit 2.
  const asked = kind === '--help' || kind === '-h';
  if (asked) process.stdout.write(usage());
  else process.stderr.write(`${kind === undefined ? 'camflow-sim: which simulator?' : `camflow-sim: unknown simulator '${kind}'`}\n${usage()}`);
  process.exit(asked ? 0 : 2);
}
if (rest.includes('--help') || rest.includes('-h')) {
  process.stdout.write(usage([command]));
  process.exit(0);
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
