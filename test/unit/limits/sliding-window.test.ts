import { describe, expect, it } from 'vitest';
import { SlidingWindowCounters } from '../../../src/limits/sliding-window.js';
import type { Charge } from '../../../src/policy/decision.js';

const charge = (over: Partial<Charge> = {}): Charge => ({ counter: 'c', scope: 'session', windowMs: 60_000, max: 3, amount: 1, rule: 'tools.c.limits[0]', ...over });

describe('SlidingWindowCounters', () => {
  it('allows max calls in any window and slides, with no burst at a boundary', () => {
    const c = new SlidingWindowCounters();
    expect(c.tryCharge([charge()], 0, 60_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 30_000, 60_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 59_000, 60_000).ok).toBe(true);
    const refused = c.tryCharge([charge()], 59_999, 60_000);
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    // At exactly one window after the first call, that call has slid out.
    expect(c.tryCharge([charge()], 60_000, 60_000).ok).toBe(true);
    expect(c.tryCharge([charge()], 60_001, 60_000)).toMatchObject({ ok: false, retryAfterSeconds: 30 });
  });
  it('charges all or nothing across limits', () => {
    const c = new SlidingWindowCounters();
    const both = [charge({ counter: 'a', max: 5 }), charge({ counter: 'b', max: 1 })];
    expect(c.tryCharge(both, 0, 60_000).ok).toBe(true);
    expect(c.tryCharge(both, 1, 60_000).ok).toBe(false);
    expect(c.used('a', 60_000, 2)).toBe(1);
  });
  it('counts amounts for spend caps and refuses an amount that can never fit', () => {
    const c = new SlidingWindowCounters();
    expect(c.tryCharge([charge({ max: 100, amount: 60 })], 0, 60_000).ok).toBe(true);
    expect(c.tryCharge([charge({ max: 100, amount: 50 })], 1000, 60_000)).toMatchObject({ ok: false, retryAfterSeconds: 59 });
    expect(c.tryCharge([charge({ max: 100, amount: 101 })], 1000, 60_000)).toMatchObject({ ok: false, retryAfterSeconds: undefined });
  });
  it('gives back what a refund returns', () => {
    const c = new SlidingWindowCounters();
    const first = c.tryCharge([charge({ max: 1 })], 0, 60_000);
    expect(first.ok).toBe(true);
    if (first.ok) c.refund(first.events);
    expect(c.tryCharge([charge({ max: 1 })], 1, 60_000).ok).toBe(true);
  });
});
