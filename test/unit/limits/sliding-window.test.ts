import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type CounterShare, SlidingWindowCounters } from '../../../src/limits/sliding-window.js';
import type { Charge } from '../../../src/policy/engine/decision.js';
import { LIMITS, NaiveCounters } from './model.js';

const charge = (over: Partial<Charge> = {}): Charge => ({ counter: 'c', scope: 'session', windowMs: 60_000, max: 3, amount: 1, rule: 'tools.c.limits[0]', ...over });

describe('SlidingWindowCounters', () => {
  it('allows max calls in any window and slides, with no burst at a boundary', () => {
    const c = new SlidingWindowCounters();
    expect(c.tryCharge([charge()], 0).ok).toBe(true);
    expect(c.tryCharge([charge()], 30_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 59_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 59_999)).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    // At exactly one window after the first call, that call has slid out.
    expect(c.tryCharge([charge()], 60_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 60_001)).toMatchObject({ ok: false, retryAfterSeconds: 30 });
  });

  it('charges all or nothing across limits', () => {
    const c = new SlidingWindowCounters();
    const both = [charge({ counter: 'a', max: 5 }), charge({ counter: 'b', max: 1 })];
    expect(c.tryCharge(both, 0).ok).toBe(true);
    expect(c.tryCharge(both, 1).ok).toBe(false);
    expect(c.used('a', 60_000, 2)).toBe(1);
  });

  it('counts amounts for spend caps and refuses an amount that can never fit', () => {
    const c = new SlidingWindowCounters();
    expect(c.tryCharge([charge({ max: 100, amount: 60 })], 0).ok).toBe(true);
    expect(c.tryCharge([charge({ max: 100, amount: 50 })], 1000)).toMatchObject({ ok: false, retryAfterSeconds: 59 });
    expect(c.tryCharge([charge({ max: 100, amount: 101 })], 1000)).toMatchObject({ ok: false, retryAfterSeconds: undefined });
  });

  it('gives back what a refund returns', () => {
    const c = new SlidingWindowCounters();
    const first = c.tryCharge([charge({ max: 1 })], 0);
    expect(first.ok).toBe(true);
    if (first.ok) c.refund(first.events);
    expect(c.tryCharge([charge({ max: 1 })], 1).ok).toBe(true);
  });

  it('records the calls of one millisecond in one event, and gives back each call\'s share', () => {
    const c = new SlidingWindowCounters();
    const shares = [];
    for (let i = 0; i < 50; i++) {
      const r = c.tryCharge([charge({ max: 1000, amount: 2 })], 5);
      if (r.ok) shares.push(...r.events);
    }
    const log = (c as unknown as { logs: Map<string, { events: Array<{ t: number; amount: number }> }> }).logs.get('c')!;
    expect(log.events).toEqual([{ t: 5, amount: 100 }]);
    c.refund([shares[0]!]);
    c.refund([shares[0]!]);
    expect(c.used('c', 60_000, 6)).toBe(98);
    expect(log.events).toEqual([{ t: 5, amount: 98 }]);
  });

  it('keeps memory bounded by what the windows hold', () => {
    const c = new SlidingWindowCounters();
    for (let t = 0; t < 200_000; t += 10) expect(c.tryCharge([charge({ windowMs: 1000, max: 1000 })], t).ok).toBe(true);
    const log = (c as unknown as { logs: Map<string, { events: unknown[] }> }).logs.get('c')!;
    expect(log.events.length).toBeLessThanOrEqual(2 * 100 + 65);
  });

  it('agrees with the obvious implementation on any sequence of charges and refunds', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            // dt 0: calls in one millisecond share an event.
            fc.record({ kind: fc.constant('charge' as const), dt: fc.oneof(fc.constant(0), fc.nat(1500)), limits: fc.subarray([0, 1, 2], { minLength: 1 }), amount: fc.integer({ min: 0, max: 3 }) }),
            fc.record({ kind: fc.constant('refund' as const), which: fc.nat() }),
          ),
          { maxLength: 80 },
        ),
        (ops) => {
          const real = new SlidingWindowCounters();
          const naive = new NaiveCounters();
          const tickets: Array<{ real: CounterShare[]; naive: number[] }> = [];
          let now = 0;
          for (const op of ops) {
            if (op.kind === 'refund') {
              if (tickets.length === 0) continue;
              const [t] = tickets.splice(op.which % tickets.length, 1);
              real.refund(t!.real);
              naive.refund(t!.naive);
              continue;
            }
            now += op.dt;
            const charges = op.limits.map((i) => ({ ...LIMITS[i]!, amount: op.amount }));
            const a = real.tryCharge(charges, now);
            const b = naive.tryCharge(charges, now);
            expect(a.ok).toBe(b.ok);
            if (a.ok && b.ok) tickets.push({ real: a.events, naive: b.ids });
            for (const l of LIMITS) expect(real.used(l.counter, l.windowMs, now)).toBe(naive.used(l.counter, l.windowMs, now));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
