import { GuardError } from '../errors.js';
import { type Charge, type RefuseDecision, refuse } from '../policy/engine/decision.js';
import { rateLimited } from '../policy/engine/rate-limited.js';
import type { GrantCounters } from './grant-counters.js';
import { type CounterEvent, SlidingWindowCounters } from './sliding-window.js';

/** What a successful charge took, so it can be given back. */
export interface Ticket {
  session: Array<[string, CounterEvent]>;
  grantIds: number[];
}

/**
 * Charges a decision's limits: session counters in memory, grant counters in the state database
 * (opened on first use). A database that cannot be used refuses the call: fail closed.
 */
export class Limiter {
  readonly session = new SlidingWindowCounters();
  private grant: GrantCounters | undefined;
  private batching = false;

  constructor(private readonly openGrant: () => GrantCounters) {}

  charge(charges: Charge[], now: number): { ok: true; ticket: Ticket | undefined } | { ok: false; refusal: RefuseDecision } {
    if (charges.length === 0) return { ok: true, ticket: undefined };
    const sessionCharges = charges.filter((c) => c.scope === 'session');
    const grantCharges = charges.filter((c) => c.scope === 'grant');
    // Session counters live in this single-threaded process: check them all before touching the database.
    const full = this.session.check(sessionCharges, now);
    if (full) return { ok: false, refusal: rateLimited(full.charge, full.retryAfterSeconds) };
    let grantIds: number[] = [];
    if (grantCharges.length > 0) {
      try {
        const grant = (this.grant ??= this.openGrant());
        const result = grant.tryCharge(grantCharges, now);
        if (!result.ok) return { ok: false, refusal: rateLimited(result.charge, result.retryAfterSeconds) };
        grantIds = result.ids;
      } catch (error) {
        const why = error instanceof GuardError ? error.message : `the grant counters cannot be used: ${(error as Error).message}`;
        return { ok: false, refusal: refuse('denied', grantCharges[0]!.rule, `${why}; the call is refused so the limit cannot be overspent`) };
      }
    }
    return { ok: true, ticket: { session: this.session.record(sessionCharges, now), grantIds } };
  }

  refund(ticket: Ticket): void {
    this.session.refund(ticket.session);
    if (ticket.grantIds.length > 0 && this.grant) {
      try {
        this.grant.refund(ticket.grantIds);
      } catch {
        // A refund that cannot be written only leaves the counter stricter than it should be.
      }
    }
  }

  /**
   * Runs `fn` (the judging of one chunk of input) with every grant check in it sharing one
   * database transaction, committed before `fn`'s corked writes are released.
   */
  batch<T>(fn: () => T): T {
    if (this.batching) return fn();
    this.batching = true;
    try {
      return this.grant ? this.grant.batch(fn) : fn();
    } finally {
      this.batching = false;
    }
  }
}
