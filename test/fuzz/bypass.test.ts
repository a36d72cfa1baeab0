/**
 * Bypass fuzzing against the built CLI (SPEC §4): generated client traffic goes through one
 * long-lived mcp-guard per policy, and after every run the upstream's record of the bytes it
 * received is read the way other parsers would read it. Nothing the policy refuses may be in it
 * under any reading, and every request with an id gets exactly one answer.
 *
 * CI runs a fixed seed and a bounded number of runs; `npm run fuzz` runs many more with a fresh
 * seed (FUZZ_RUNS, FUZZ_SEED to replay one).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cut, IdAllocator, lineSpecArb, writeLine } from './arbitraries.js';
import { FuzzGuard } from './fuzz-guard.js';
import { LONG, runs, seed, timeLimit } from './settings.js';
import { answerProblems, answersById, expectedAnswers, type OracleState, PERMISSIVE_POLICY, type PolicyName, STRICT_POLICY, violations } from './oracle.js';

const RUNS = runs(200);
const SEED = seed(20261125);

const runArb = fc.record({
  lines: fc.array(lineSpecArb, { minLength: 1, maxLength: 12 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
});

function fuzz(name: PolicyName, policy: unknown) {
  describe(`bypass fuzzing, ${name} policy`, () => {
    let guard: FuzzGuard;
    const state: OracleState = { charged: 0 };
    let runNumber = 0;

    beforeAll(() => {
      guard = new FuzzGuard(policy);
    });
    afterAll(async () => {
      const exit = await guard.stop();
      // The recording server exits 0 when its stdin closes; the guard mirrors it.
      expect(exit).toEqual({ code: 0, signal: null });
    });

    it(
      'relays nothing the policy refuses, under any reading of the bytes, and answers every request exactly once',
      async () => {
        await fc.assert(
          fc.asyncProperty(runArb, async ({ lines, cuts }) => {
            const ids = new IdAllocator(`r${++runNumber}`);
            const sent = Buffer.concat(lines.map((l) => writeLine(l, ids)));
            const { answers, received } = await guard.exchange(cut(sent, cuts));
            const found = violations(name, received, state);
            if (found.length > 0) {
              const v = found[0]!;
              throw new Error(`the upstream received something the policy refuses: ${v.why}\n  in ${v.reading.how}${v.view ? ` read ${v.view.caseInsensitive ? 'case-insensitively' : 'exactly'}, ${v.view.firstWins ? 'first' : 'last'} copy winning` : ''}: ${JSON.stringify(v.reading.text.slice(0, 400))}`);
            }
            const problems = answerProblems(expectedAnswers(sent), answersById(answers));
            if (problems.length > 0) throw new Error(`answers do not match requests: ${problems.join('; ')}\n  sent: ${JSON.stringify(sent.toString('utf8').slice(0, 1500))}\n  answers: ${JSON.stringify(answers).slice(0, 1500)}`);
          }),
          { numRuns: RUNS, seed: SEED, ...(LONG ? {} : { timeout: 20_000 }) },
        );
      },
      timeLimit(90_000),
    );
  });
}

fuzz('strict', STRICT_POLICY);
fuzz('permissive', PERMISSIVE_POLICY);
