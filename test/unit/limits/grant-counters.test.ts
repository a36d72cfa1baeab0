import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIMITS, NaiveCounters } from './model.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrantCounters } from '../../../src/limits/grant-counters.js';
import { type ChargeOutcome, Limiter } from '../../../src/limits/limiter.js';
import { SqliteStateStore } from '../../../src/state/sqlite-store.js';
import { openStateDatabase } from '../../../src/state/database.js';
import type { Charge } from '../../../src/policy/engine/decision.js';
import type { GrantEvent } from '../../../src/state/store.js';

const charge = (over: Partial<Charge> = {}): Charge => ({ counter: 'rate', scope: 'grant', windowMs: 60_000, max: 2, amount: 1, rule: 'tools.t.limits[0]', refundable: true, ...over });
const dir = () => mkdtempSync(join(tmpdir(), 'mcp-guard-grant-'));

describe('GrantCounters (SQLite)', () => {
  it('slides the window with an injected clock, and keys counters by grant id', () => {
    const db = openStateDatabase(dir());
    const a = new GrantCounters(db, 'grant-a');
    const b = new GrantCounters(db, 'grant-b');
    expect(a.tryCharge([charge()], 1_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 2_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 3_000)).toMatchObject({ ok: false, retryAfterSeconds: 58 });
    expect(b.tryCharge([charge()], 3_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 61_000).ok).toBe(true);
    db.close();
  });

  it('persists across connections and gives back refunds', () => {
    const stateDir = dir();
    const first = openStateDatabase(stateDir);
    const taken = new GrantCounters(first, 'g').tryCharge([charge({ max: 1 })], 0);
    first.close();
    const second = openStateDatabase(stateDir);
    const counters = new GrantCounters(second, 'g');
    expect(counters.tryCharge([charge({ max: 1 })], 10).ok).toBe(false);
    if (taken.ok) counters.refund(taken.events);
    expect(counters.tryCharge([charge({ max: 1 })], 20).ok).toBe(true);
    second.close();
  });
});

describe('Limiter', () => {
  /** Charges, flushes the batch, and returns the outcome (the SQLite store answers at once). */
  const chargeNow = (limiter: Limiter, charges: Charge[], now: number): ChargeOutcome => {
    let outcome: ChargeOutcome | undefined;
    limiter.charge(charges, now, (o) => (outcome = o));
    limiter.flush();
    return outcome!;
  };

  it('charges session and grant limits all or nothing', () => {
    const store = new SqliteStateStore(dir());
    const limiter = new Limiter(() => store, 'g');
    const both = [charge({ scope: 'session', counter: 's', max: 1 }), charge({ max: 5 })];
    expect(chargeNow(limiter, both, 0).ok).toBe(true);
    const refused = chargeNow(limiter, both, 1);
    expect(refused).toMatchObject({ ok: false, refusal: { decision: 'rate_limited', rule: 'tools.t.limits[0]' } });
    // The refused call consumed nothing of the grant counter.
    expect(store.grantUsage('g', 'rate', 60_000, 2)).toBe(1);
    store.close();
  });

  it('decides a batch in order, and gives the session units back when the store refuses', () => {
    const store = new SqliteStateStore(dir());
    const limiter = new Limiter(() => store, 'g');
    const call = [charge({ scope: 'session', counter: 's', max: 3 }), charge({ max: 2 })];
    const outcomes: boolean[] = [];
    for (let i = 0; i < 3; i++) limiter.charge(call, 0, (o) => outcomes.push(o.ok));
    expect(outcomes).toEqual([]);
    limiter.flush();
    expect(outcomes).toEqual([true, true, false]);
    // The third call's session unit came back: one more session-only call fits.
    expect(chargeNow(limiter, [charge({ scope: 'session', counter: 's', max: 3 })], 0).ok).toBe(true);
    store.close();
  });

  it('keeps what a refund: "never" limit took', () => {
    const store = new SqliteStateStore(dir());
    const limiter = new Limiter(() => store, 'g');
    const outcome = chargeNow(limiter, [charge({ max: 5, refundable: false }), charge({ counter: 'other', max: 5 })], 0);
    expect(outcome.ok).toBe(true);
    if (outcome.ok) limiter.refund(outcome.ticket);
    expect(store.grantUsage('g', 'rate', 60_000, 1)).toBe(1);
    expect(store.grantUsage('g', 'other', 60_000, 1)).toBe(0);
    store.close();
  });

  it('fails closed when the state database cannot be opened', () => {
    const blocker = join(dir(), 'not-a-dir');
    writeFileSync(blocker, 'x');
    const limiter = new Limiter(() => new SqliteStateStore(blocker), 'g');
    const result = chargeNow(limiter, [charge()], 0);
    expect(result).toMatchObject({ ok: false, refusal: { outcome: 'refuse', decision: 'denied' } });
    if (!result.ok && result.refusal.outcome === 'refuse') expect(result.refusal.reason).toMatch(/state database .* cannot be opened/);
    // Session-only calls still go through.
    expect(chargeNow(limiter, [charge({ scope: 'session' })], 0).ok).toBe(true);
  });
});

describe('GrantCounters against the obvious implementation', () => {
  it('agrees on any sequence of charges, chunks and refunds, from two connections', () => {
    const stateDir = dir();
    const one = openStateDatabase(stateDir);
    const two = openStateDatabase(stateDir);
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('charge' as const), dt: fc.oneof(fc.constant(0), fc.nat(1500)), limits: fc.subarray([0, 1, 2], { minLength: 1 }), amount: fc.integer({ min: 0, max: 3 }), conn: fc.boolean() }),
            fc.record({ kind: fc.constant('refund' as const), which: fc.nat(), conn: fc.boolean() }),
            // A chunk's requests at one time, in one chargeBatch: those charging a counter share one row.
            fc.record({
              kind: fc.constant('chunk' as const),
              dt: fc.oneof(fc.constant(0), fc.nat(1500)),
              requests: fc.array(fc.record({ limits: fc.subarray([0, 1, 2], { minLength: 1 }), amount: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 6 }),
              conn: fc.boolean(),
            }),
          ),
          { maxLength: 40 },
        ),
        (ops) => {
          const grant = `g${run++}`;
          const counters = [new GrantCounters(one, grant), new GrantCounters(two, grant)];
          const naive = new NaiveCounters();
          const tickets: Array<{ real: GrantEvent[]; naive: number[] }> = [];
          let now = 0;
          const step = (op: (typeof ops)[number], c: GrantCounters) => {
            if (op.kind === 'refund') {
              if (tickets.length === 0) return;
              const [t] = tickets.splice(op.which % tickets.length, 1);
              c.refund(t!.real);
              naive.refund(t!.naive);
              return;
            }
            if (op.kind === 'chunk') {
              now += op.dt;
              const requests = op.requests.map((r) => r.limits.map((i) => ({ ...LIMITS[i]!, scope: 'grant' as const, amount: r.amount })));
              const results = c.chargeBatch(requests, now);
              requests.forEach((charges, i) => {
                const a = results[i]!;
                const b = naive.tryCharge(charges, now);
                expect(a.ok).toBe(b.ok);
                if (a.ok && b.ok) tickets.push({ real: a.events, naive: b.ids });
              });
              return;
            }
            now += op.dt;
            const charges = op.limits.map((i) => ({ ...LIMITS[i]!, scope: 'grant' as const, amount: op.amount }));
            const a = c.tryCharge(charges, now);
            const b = naive.tryCharge(charges, now);
            expect(a.ok).toBe(b.ok);
            if (a.ok && b.ok) tickets.push({ real: a.events, naive: b.ids });
          };
          for (const op of ops) {
            step(op, counters[op.conn ? 1 : 0]!);
            // Read from the first connection: what the other committed is there too.
            for (const l of LIMITS) expect(counters[0]!.used(l.counter, l.windowMs, now)).toBe(naive.used(l.counter, l.windowMs, now));
          }
        },
      ),
      { numRuns: 60 },
    );
    one.close();
    two.close();
  });
});
