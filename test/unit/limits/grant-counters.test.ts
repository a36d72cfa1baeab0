import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GrantCounters } from '../../../src/limits/grant-counters.js';
import { Limiter } from '../../../src/limits/limiter.js';
import { openStateDatabase } from '../../../src/state/database.js';
import type { Charge } from '../../../src/policy/decision.js';

const charge = (over: Partial<Charge> = {}): Charge => ({ counter: 'rate', scope: 'grant', windowMs: 60_000, max: 2, amount: 1, rule: 'tools.t.limits[0]', ...over });
const dir = () => mkdtempSync(join(tmpdir(), 'mcp-guard-grant-'));

describe('GrantCounters (SQLite)', () => {
  it('slides the window with an injected clock, and keys counters by grant id', () => {
    const db = openStateDatabase(dir());
    const a = new GrantCounters(db, 'grant-a');
    const b = new GrantCounters(db, 'grant-b');
    expect(a.tryCharge([charge()], 1_000, 60_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 2_000, 60_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 3_000, 60_000)).toMatchObject({ ok: false, retryAfterSeconds: 58 });
    expect(b.tryCharge([charge()], 3_000, 60_000).ok).toBe(true);
    expect(a.tryCharge([charge()], 61_000, 60_000).ok).toBe(true);
    db.close();
  });

  it('persists across connections and gives back refunds', () => {
    const stateDir = dir();
    const first = openStateDatabase(stateDir);
    const taken = new GrantCounters(first, 'g').tryCharge([charge({ max: 1 })], 0, 60_000);
    first.close();
    const second = openStateDatabase(stateDir);
    const counters = new GrantCounters(second, 'g');
    expect(counters.tryCharge([charge({ max: 1 })], 10, 60_000).ok).toBe(false);
    if (taken.ok) counters.refund(taken.ids);
    expect(counters.tryCharge([charge({ max: 1 })], 20, 60_000).ok).toBe(true);
    second.close();
  });
});

describe('Limiter', () => {
  it('charges session and grant limits all or nothing', () => {
    const db = openStateDatabase(dir());
    const limiter = new Limiter(() => new GrantCounters(db, 'g'));
    const both = [charge({ scope: 'session', counter: 's', max: 1 }), charge({ max: 5 })];
    expect(limiter.charge(both, 0, 60_000).ok).toBe(true);
    const refused = limiter.charge(both, 1, 60_000);
    expect(refused).toMatchObject({ ok: false, refusal: { decision: 'rate_limited', rule: 'tools.t.limits[0]' } });
    // The refused call consumed nothing of the grant counter.
    expect(new GrantCounters(db, 'g').used('rate', 60_000, 2)).toBe(1);
    db.close();
  });

  it('fails closed when the state database cannot be opened', () => {
    const blocker = join(dir(), 'not-a-dir');
    writeFileSync(blocker, 'x');
    const limiter = new Limiter(() => new GrantCounters(openStateDatabase(blocker), 'g'));
    const result = limiter.charge([charge()], 0, 60_000);
    expect(result).toMatchObject({ ok: false, refusal: { outcome: 'refuse', decision: 'denied' } });
    if (!result.ok && result.refusal.outcome === 'refuse') expect(result.refusal.reason).toMatch(/state database .* cannot be opened/);
    // Session-only calls still go through.
    expect(limiter.charge([charge({ scope: 'session' })], 0, 60_000).ok).toBe(true);
  });
});
