import type { Charge } from '../policy/engine/decision.js';
import type { Database } from '../state/database.js';
import type { GrantChargeResult, GrantTicket } from '../state/store.js';
import { GrantCounters } from './grant-counters.js';
import type { GrantStore } from './limiter.js';

/** The grant counters of the SQLite state database as the limiter's store: one transaction per batch. */
export class SqliteGrantStore implements GrantStore {
  readonly description: string;
  private readonly counters = new Map<string, GrantCounters>();

  constructor(
    private readonly db: Database,
    stateDir: string,
  ) {
    this.description = `sqlite:${stateDir}`;
  }

  chargeGrant(grant: string, requests: ReadonlyArray<ReadonlyArray<Charge>>, now: number): GrantChargeResult[] {
    const counters = this.countersFor(grant);
    return counters.batch(() =>
      requests.map((charges): GrantChargeResult => {
        const result = counters.tryCharge([...charges], now);
        return result.ok ? { ok: true, ticket: { events: result.ids } } : { ok: false, charge: result.charge, retryAfterSeconds: result.retryAfterSeconds };
      }),
    );
  }

  refundGrant(grant: string, tickets: ReadonlyArray<GrantTicket>): void {
    this.countersFor(grant).refund(tickets.flatMap((t) => t.events as number[]));
  }

  private countersFor(grant: string): GrantCounters {
    let counters = this.counters.get(grant);
    if (!counters) this.counters.set(grant, (counters = new GrantCounters(this.db, grant)));
    return counters;
  }
}
