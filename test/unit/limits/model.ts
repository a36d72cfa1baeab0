import type { Charge } from '../../../src/policy/engine/decision.js';

/** The obvious sliding-window counter, for checking the incremental ones against. */
export class NaiveCounters {
  private events: Array<{ id: number; counter: string; t: number; amount: number }> = [];
  private next = 0;

  tryCharge(charges: Charge[], now: number): { ok: true; ids: number[] } | { ok: false; charge: Charge } {
    for (const c of charges) {
      const amount = charges.find((x) => x.counter === c.counter)!.amount;
      const used = this.used(c.counter, c.windowMs, now);
      if (used + amount > c.max) return { ok: false, charge: c };
    }
    const ids: number[] = [];
    const seen = new Set<string>();
    for (const c of charges) {
      if (seen.has(c.counter)) continue;
      seen.add(c.counter);
      const id = this.next++;
      this.events.push({ id, counter: c.counter, t: now, amount: c.amount });
      ids.push(id);
    }
    return { ok: true, ids };
  }

  refund(ids: number[]): void {
    this.events = this.events.filter((e) => !ids.includes(e.id));
  }

  used(counter: string, windowMs: number, now: number): number {
    return this.events.filter((e) => e.counter === counter && e.t > now - windowMs).reduce((s, e) => s + e.amount, 0);
  }
}

export type Op = { kind: 'charge'; dt: number; limits: number[]; amount: number } | { kind: 'refund'; which: number };

/** The limits a generated op may use: two counters, one of them with two windows. */
export const LIMITS: Charge[] = [
  { counter: 'a', scope: 'session', windowMs: 1000, max: 3, amount: 1, rule: 'l0' },
  { counter: 'a', scope: 'session', windowMs: 5000, max: 7, amount: 1, rule: 'l1' },
  { counter: 'b', scope: 'session', windowMs: 3000, max: 10, amount: 1, rule: 'l2' },
];
