#!/usr/bin/env node
import { execWithSmallYoungGeneration } from './young-generation.js';

// Before anything heavy is loaded: long-running commands may replace this process with a leaner one.
execWithSmallYoungGeneration(process.argv.slice(2));
const { runCli } = await import('./run.js');

// SIGINT/SIGTERM abort the running command, which then stops cleanly; a second signal exits at once.
const controller = new AbortController();
const onSignal = (): void => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort(new Error('interrupted'));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), { signal: controller.signal });
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
process.exitCode = code;
// The command has closed what it opened. A library's leftover retry loop (Ring's push client retries
// an unreachable Google every 10 s, forever) must not keep a finished command alive: exit soon anyway.
setTimeout(() => process.exit(code), 1000).unref();
