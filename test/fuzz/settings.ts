/**
 * How long the fuzz suites run. In `npm test`: a fixed seed and a bounded number of runs, so a
 * failure is reproducible and CI stays fast. `npm run fuzz` sets FUZZ_RUNS (20,000 by default):
 * then each suite uses a fresh seed (printed by fast-check when a property fails; FUZZ_SEED
 * replays it) and no time limit.
 */
export const LONG = process.env.FUZZ_RUNS !== undefined;

export function runs(ciRuns: number): number {
  return LONG ? Math.max(ciRuns, Number(process.env.FUZZ_RUNS)) : ciRuns;
}

export function seed(ciSeed: number): number {
  if (process.env.FUZZ_SEED !== undefined) return Number(process.env.FUZZ_SEED);
  return LONG ? Date.now() % 2 ** 31 : ciSeed;
}

export function timeLimit(ciMs: number): number {
  return LONG ? 24 * 3600_000 : ciMs;
}
