import type { Charge, RefuseDecision } from './decision.js';
import { refuse } from './decision.js';

/**
 * The refusal for a limit without room, with the words the agent reads. One builder for the
 * relay's counters and the simulation's, so `check`, `test` and `replay` say what a session says.
 */
export function rateLimited(charge: Charge, retryAfterSeconds: number | undefined): RefuseDecision {
  const per = describeWindow(charge.windowMs);
  const reason =
    retryAfterSeconds === undefined
      ? `this call needs ${charge.amount} units of the "${charge.counter}" limit, more than its maximum of ${charge.max} per ${per}`
      : `rate limit reached: at most ${charge.max} per ${per} on "${charge.counter}"; try again in ${retryAfterSeconds} s`;
  return refuse('rate_limited', charge.rule, reason, retryAfterSeconds);
}

/** A window in words: `minute`, `15 minutes`, `90 seconds`. */
export function describeWindow(ms: number): string {
  const units: Array<[number, string]> = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  for (const [size, name] of units) {
    if (ms === size) return name;
    if (ms % size === 0) return `${ms / size} ${name}s`;
  }
  return `${ms / 1000} seconds`;
}
