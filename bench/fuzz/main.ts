/**
 * bench/fuzz: every fuzz target (test/fuzz/targets.ts) for 100,000 cases (`--cases N` to change), a
 * fresh random seed each run (printed, so a failure can be replayed). Baseline in the same run: the
 * same number of inputs generated without being parsed, so cases/s says what the parser itself costs.
 * A failure prints its counterexample on stderr and the bench exits 1. Prints one JSON line.
 */
import fc from 'fast-check';
import { fuzzTargets } from '../../test/fuzz/targets.ts';

const casesArg = process.argv.indexOf('--cases');
const CASES = casesArg === -1 ? 100_000 : Number(process.argv[casesArg + 1]);
const seed = Date.now() % 2_147_483_647;
const log = (line: string): void => void process.stderr.write(`${line}\n`);

const results: Record<string, { cases: number; failures: number; casesPerSecond: number; generateOnlyPerSecond: number; heapMB: number }> = {};
let failed = 0;
for (const target of fuzzTargets) {
  log(`${target.name}: ${CASES} cases, seed ${seed}`);
  let started = performance.now();
  fc.assert(fc.property(target.arbitrary, () => undefined), { numRuns: CASES, seed });
  const generateMs = performance.now() - started;
  started = performance.now();
  const run = fc.check(fc.property(target.arbitrary, target.check), { numRuns: CASES, seed });
  const ms = performance.now() - started;
  if (run.failed) {
    failed++;
    log(`  FAILED after ${run.numRuns} cases: ${fc.stringify(run.counterexample)}\n  ${String(run.errorInstance)}`);
  }
  results[target.name] = {
    cases: run.numRuns,
    failures: run.failed ? 1 : 0,
    casesPerSecond: Math.round(run.numRuns / (ms / 1000)),
    generateOnlyPerSecond: Math.round(CASES / (generateMs / 1000)),
    heapMB: Math.round(process.memoryUsage().heapUsed / 1e6),
  };
}
process.stdout.write(`${JSON.stringify({ bench: 'fuzz', seed, casesPerTarget: CASES, targets: results, failures: failed })}\n`);
process.exitCode = failed === 0 ? 0 : 1;
