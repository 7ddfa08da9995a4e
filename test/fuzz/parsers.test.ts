/**
 * A seeded, short run of every fuzz target (bench/fuzz runs 100,000 cases each). A failure prints the
 * counterexample and its seed: add it to regressions.test.ts before fixing the parser.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { fuzzTargets } from './targets.js';

const RUNS = 2000;
const SEED = 20261205;

describe('fuzzed parsers', () => {
  for (const target of fuzzTargets) {
    it(`${target.name}: ${RUNS} seeded cases, no crash outside the documented error`, () => {
      fc.assert(fc.property(target.arbitrary, target.check), { numRuns: RUNS, seed: SEED });
    });
  }
});
