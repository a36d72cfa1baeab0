import { GuardError } from '../errors.js';
import { type Charge, type RefuseDecision, refuse } from '../policy/engine/decision.js';
import type { GrantChargeResult, GrantTicket, MaybePromise, StateStore } from '../state/store.js';
import { rateLimited } from '../policy/engine/rate-limited.js';
import { type CounterShare, SlidingWindowCounters } from './sliding-window.js';
import { distinctCounters } from './grant-counters.js';

/** What a successful charge took and may give back (only its refundable part is kept). */
export interface Ticket {
  session: CounterShare[];
  grant: GrantTicket | undefined;
}

export type ChargeOutcome = { ok: true; ticket: Ticket | undefined } | { ok: false; refusal: RefuseDecision };

/** The outcome of a call that no limit counts (most of them), made once. */
const NOTHING_TAKEN: ChargeOutcome = Object.freeze({ ok: true, ticket: undefined });

/** The part of a state store the limiter uses. */
export type GrantStore = Pick<StateStore, 'description' | 'chargeGrant' | 'refundGrant'>;

interface Waiting {
  grantCharges: readonly Charge[];
  sessionCharges: readonly Charge[];
  /** Session units already taken, given back if the store refuses. */
  session: CounterShare[];
  done: (outcome: ChargeOutcome) => void;
}

/**
 * Charges a decision's limits: session counters in memory, grant counters in the state store
 * (opened on first use). Grant charges are gathered while a chunk of input is judged and sent to
 * the store together when the relay calls `flush()`: one transaction (SQLite) or one script
 * (Redis) per chunk, and the store decides them in order. A store that answers at once (SQLite)
 * settles every call before `flush()` returns, so the chunk's output is released in one go after
 * its units are durably counted; one that answers later (Redis) settles them when it answers.
 * A store that cannot be used refuses the calls that need it: fail closed.
 */
export class Limiter {
  readonly session = new SlidingWindowCounters();
  private store: GrantStore | undefined;
  private waiting: Waiting[] = [];
  /** The time of the batch being gathered (the judging of one chunk reads the clock once). */
  private now = 0;

  constructor(
    private readonly openStore: () => GrantStore,
    private readonly grant: string,
  ) {}

  /**
   * Checks and takes every charge, or none, and calls `done` with the outcome: at once when no
   * grant limit is involved, else when the batch is flushed. Session units are taken at once (in
   * order, so the next call sees them) and given back if the store then refuses.
   */
  charge(charges: readonly Charge[], now: number, done: (outcome: ChargeOutcome) => void): void {
    if (charges.length === 0) return done(NOTHING_TAKEN);
    const sessionCharges = ofScope(charges, 'session');
    const grantCharges = ofScope(charges, 'grant');
    const full = this.session.check(sessionCharges, now);
    if (full) return done({ ok: false, refusal: rateLimited(full.charge, full.retryAfterSeconds) });
    const session = this.session.record(sessionCharges, now);
    if (grantCharges.length === 0) return done({ ok: true, ticket: { session: refundable(session, sessionCharges), grant: undefined } });
    this.waiting.push({ grantCharges, sessionCharges, session, done });
    this.now = now;
  }

  /** Sends the gathered grant charges to the store; their calls are settled now (SQLite) or when it answers (Redis). */
  flush(): void {
    if (this.waiting.length === 0) return;
    const batch = this.waiting;
    this.waiting = [];
    let answer: MaybePromise<GrantChargeResult[]>;
    try {
      this.store ??= this.openStore();
      answer = this.store.chargeGrant(this.grant, batch.map((w) => w.grantCharges), this.now);
    } catch (error) {
      this.failAll(batch, error);
      return;
    }
    if (answer instanceof Promise) {
      answer.then(
        (results) => this.settle(batch, results),
        (error: unknown) => this.failAll(batch, error),
      );
    } else {
      this.settle(batch, answer);
    }
  }

  /** Gives back the refundable part of what a charge took (the upstream answered with an error). */
  refund(ticket: Ticket | undefined): void {
    if (!ticket) return;
    this.session.refund(ticket.session);
    if (!ticket.grant || !this.store) return;
    try {
      const done = this.store.refundGrant(this.grant, [ticket.grant]);
      // A refund that cannot be written only leaves the counter stricter than it should be.
      if (done instanceof Promise) done.catch(() => undefined);
    } catch {
      // As above.
    }
  }

  private settle(batch: Waiting[], results: GrantChargeResult[]): void {
    batch.forEach((w, i) => {
      const result = results[i];
      if (!result || !result.ok) {
        this.session.refund(w.session);
        const refusal = result ? rateLimited(result.charge, result.retryAfterSeconds) : unavailable(w.grantCharges, 'it gave no answer', this.store?.description);
        return w.done({ ok: false, refusal });
      }
      w.done({ ok: true, ticket: { session: refundable(w.session, w.sessionCharges), grant: refundableGrant(result.ticket, w.grantCharges) } });
    });
  }

  private failAll(batch: Waiting[], error: unknown): void {
    const why = error instanceof GuardError ? error.message : ((error as Error)?.message ?? String(error));
    for (const w of batch) {
      this.session.refund(w.session);
      w.done({ ok: false, refusal: unavailable(w.grantCharges, why, this.store?.description) });
    }
  }
}

function unavailable(charges: readonly Charge[], why: string, backend: string | undefined): RefuseDecision {
  return refuse(
    'denied',
    charges[0]!.rule,
    `the grant counters${backend ? ` in ${backend}` : ''} cannot be used (${why}); the call is refused so the limit cannot be overspent`,
  );
}

/** The charges of one scope (the array itself when all are: nothing mutates a decision's charges). */
function ofScope(charges: readonly Charge[], scope: Charge['scope']): readonly Charge[] {
  let all = true;
  let none = true;
  for (const c of charges) {
    if (c.scope === scope) none = false;
    else all = false;
  }
  return all ? charges : none ? NO_CHARGES : charges.filter((c) => c.scope === scope);
}
const NO_CHARGES: readonly Charge[] = [];

/** The shares of counters that every charge naming them lets be given back (the array itself when all may be). */
function refundable(shares: CounterShare[], charges: readonly Charge[]): CounterShare[] {
  if (charges.every((c) => c.refundable)) return shares;
  return shares.filter(({ counter }) => charges.every((c) => c.counter !== counter || c.refundable));
}

/**
 * A grant ticket's events follow the distinct counters of its charges, in order (src/state/store.ts);
 * only those of counters every charge lets be given back stay in it.
 */
function refundableGrant(ticket: GrantTicket, charges: readonly Charge[]): GrantTicket | undefined {
  if (charges.every((c) => c.refundable)) return ticket.events.length === 0 ? undefined : ticket;
  const counters = distinctCounters(charges).map((c) => c.counter);
  const events = ticket.events.filter((_e, i) => charges.every((c) => c.counter !== counters[i] || c.refundable));
  return events.length === 0 ? undefined : { events };
}
