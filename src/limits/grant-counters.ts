import type { Charge } from '../policy/decision.js';
import type { Database } from '../state/database.js';
import { roomFor } from './sliding-window.js';

/**
 * `scope: "grant"` counters, shared by every mcp-guard process with the same grant id through
 * the state database. Each check-and-consume is one IMMEDIATE transaction, so two processes can
 * never both take the last unit.
 */
export class GrantCounters {
  private readonly select;
  private readonly insert;
  private readonly prune;
  private readonly remove;

  constructor(
    private readonly db: Database,
    private readonly grantId: string,
  ) {
    this.select = db.prepare('SELECT t, amount FROM counter_events WHERE grant_id = ? AND counter = ? AND t > ? ORDER BY t');
    this.insert = db.prepare('INSERT INTO counter_events (grant_id, counter, t, amount) VALUES (?, ?, ?, ?)');
    this.prune = db.prepare('DELETE FROM counter_events WHERE grant_id = ? AND counter = ? AND t <= ?');
    this.remove = db.prepare('DELETE FROM counter_events WHERE id = ?');
  }

  /** Atomically checks every charge and records them all, or none. Returns the event ids, or the charge that has no room. */
  tryCharge(
    charges: Charge[],
    now: number,
    retainMs: number,
  ): { ok: true; ids: number[] } | { ok: false; charge: Charge; retryAfterSeconds: number | undefined } {
    const run = this.db.transaction(() => {
      for (const charge of charges) {
        const log = this.select.all(this.grantId, charge.counter, now - charge.windowMs) as Array<{ t: number; amount: number }>;
        const room = roomFor(log, charge, now);
        if (room !== true) return { ok: false as const, charge, retryAfterSeconds: room };
      }
      const ids: number[] = [];
      for (const charge of charges) {
        this.prune.run(this.grantId, charge.counter, now - retainMs);
        ids.push(Number(this.insert.run(this.grantId, charge.counter, now, charge.amount).lastInsertRowid));
      }
      return { ok: true as const, ids };
    });
    return run.immediate();
  }

  refund(ids: number[]): void {
    this.db.transaction(() => {
      for (const id of ids) this.remove.run(id);
    }).immediate();
  }

  /** Units used by a counter in the window ending at `now` (for `mcp-guard check` and tests). */
  used(counter: string, windowMs: number, now: number): number {
    const log = this.select.all(this.grantId, counter, now - windowMs) as Array<{ amount: number }>;
    return log.reduce((sum, e) => sum + e.amount, 0);
  }
}
