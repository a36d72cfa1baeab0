import { GuardError } from '../errors.js';
import { type Charge, type Decision, refuse } from '../policy/decision.js';
import type { GrantCounters } from './grant-counters.js';
import { SlidingWindowCounters } from './sliding-window.js';

/** What a successful charge took, so it can be given back. */
export interface Ticket {
  session: ReturnType<SlidingWindowCounters['tryCharge']> & { ok: true };
  grantIds: number[];
}

/**
 * Charges a decision's limits: session counters in memory, grant counters in the state database
 * (opened on first use). A database that cannot be used refuses the call: fail closed.
 */
export class Limiter {
  readonly session = new SlidingWindowCounters();
  private grant: GrantCounters | undefined;

  constructor(private readonly openGrant: () => GrantCounters) {}

  charge(charges: Charge[], now: number, retainMs: number): { ok: true; ticket: Ticket | undefined } | { ok: false; refusal: Decision } {
    if (charges.length === 0) return { ok: true, ticket: undefined };
    const sessionCharges = charges.filter((c) => c.scope === 'session');
    const grantCharges = charges.filter((c) => c.scope === 'grant');
    // Session counters live in this single-threaded process: check all before touching the database.
    for (const charge of sessionCharges) {
      const probe = this.session.tryCharge([charge], now, retainMs);
      if (!probe.ok) return { ok: false, refusal: rateLimited(probe.charge, probe.retryAfterSeconds) };
      this.session.refund(probe.events);
    }
    let grantIds: number[] = [];
    if (grantCharges.length > 0) {
      try {
        this.grant ??= this.openGrant();
        const result = this.grant.tryCharge(grantCharges, now, retainMs);
        if (!result.ok) return { ok: false, refusal: rateLimited(result.charge, result.retryAfterSeconds) };
        grantIds = result.ids;
      } catch (error) {
        const why = error instanceof GuardError ? error.message : `the grant counters cannot be used: ${(error as Error).message}`;
        return { ok: false, refusal: refuse('denied', grantCharges[0]!.rule, `${why}; the call is refused so the limit cannot be overspent`) };
      }
    }
    const session = this.session.tryCharge(sessionCharges, now, retainMs) as Ticket['session'];
    return { ok: true, ticket: { session, grantIds } };
  }

  refund(ticket: Ticket): void {
    this.session.refund(ticket.session.events);
    if (ticket.grantIds.length > 0 && this.grant) {
      try {
        this.grant.refund(ticket.grantIds);
      } catch {
        // A refund that cannot be written only leaves the counter stricter than it should be.
      }
    }
  }
}

function rateLimited(charge: Charge, retryAfterSeconds: number | undefined): Decision {
  const per = describeWindow(charge.windowMs);
  const reason =
    retryAfterSeconds === undefined
      ? `this call needs ${charge.amount} units of the "${charge.counter}" limit, more than its maximum of ${charge.max} per ${per}`
      : `rate limit reached: at most ${charge.max} per ${per} on "${charge.counter}"; try again in ${retryAfterSeconds} s`;
  return refuse('rate_limited', charge.rule, reason, retryAfterSeconds);
}

function describeWindow(ms: number): string {
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
