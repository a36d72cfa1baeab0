/**
 * The same limit suite against both state backends (SPEC §13): a table of charge sequences with
 * an injected clock, each step's expected decisions written out, run on SQLite and on a real
 * redis-server; then random sequences that must get identical decisions from both.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Charge } from '../../../src/policy/engine/decision.js';
import { RedisStateStore } from '../../../src/state/redis-store.js';
import { SqliteStateStore } from '../../../src/state/sqlite-store.js';
import { parseStateUrl, type RedisLocation } from '../../../src/state/state-url.js';
import type { GrantChargeResult, GrantTicket, StateStore } from '../../../src/state/store.js';
import { type RedisServer, startRedis } from '../../support/redis-server.js';

let redis: RedisServer;
const stores: StateStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await redis?.stop();
});

const BACKENDS: Array<[string, () => StateStore]> = [
  ['sqlite', () => new SqliteStateStore(mkdtempSync(join(tmpdir(), 'mcp-guard-store-')))],
  ['redis', () => new RedisStateStore(parseStateUrl(redis.url(), 'test') as RedisLocation)],
];

function open(make: () => StateStore): StateStore {
  const store = make();
  stores.push(store);
  return store;
}

const lim = (counter: string, windowMs: number, max: number, amount = 1, rule = `${counter}/${windowMs}`): Charge => ({
  counter,
  scope: 'grant',
  windowMs,
  max,
  amount,
  rule,
});

/** `ok`, or `<rule> retry <s>`, or `<rule> never` (the amount alone exceeds max). */
function outcome(r: GrantChargeResult): string {
  return r.ok ? 'ok' : `${r.charge.rule} ${r.retryAfterSeconds === undefined ? 'never' : `retry ${r.retryAfterSeconds}`}`;
}

type Step =
  | { at: number; charge: Charge[][]; expect: string[]; keep?: Array<string | null> }
  | { refund: string[] }
  | { at: number; usage: [counter: string, windowMs: number]; is: number };

interface Case {
  name: string;
  steps: Step[];
}

const MIN = 60_000;
const DAY = 86_400_000;
const rate = lim('rate', MIN, 2);
const spend = (amount: number) => lim('spend', DAY, 100, amount);
const a1 = (amount = 1) => lim('a', 1000, 3, amount);
const a5 = (amount = 1) => lim('a', 5000, 7, amount);
const b3 = (amount = 1) => lim('b', 3000, 4, amount);

const CASES: Case[] = [
  {
    name: 'a sliding window, with retryAfterSeconds from the oldest event that must leave',
    steps: [
      { at: 1000, charge: [[rate]], expect: ['ok'] },
      { at: 2000, charge: [[rate]], expect: ['ok'] },
      { at: 3000, charge: [[rate]], expect: ['rate/60000 retry 58'] },
      { at: 60_999, charge: [[rate]], expect: ['rate/60000 retry 1'] },
      { at: 61_000, charge: [[rate]], expect: ['ok'] },
      { at: 61_500, charge: [[rate]], expect: ['rate/60000 retry 1'] },
      { at: 62_000, charge: [[rate]], expect: ['ok'] },
      { at: 62_000, usage: ['rate', MIN], is: 2 },
    ],
  },
  {
    name: 'one batch: each request all-or-nothing, in order, a refusal not stopping the next',
    steps: [
      { at: 0, charge: [[rate], [rate], [rate], [], [rate]], expect: ['ok', 'ok', 'rate/60000 retry 60', 'ok', 'rate/60000 retry 60'] },
      { at: 0, usage: ['rate', MIN], is: 2 },
    ],
  },
  {
    name: 'a spend cap with amounts holds to the unit',
    steps: [
      { at: 0, charge: [[spend(40)], [spend(50)]], expect: ['ok', 'ok'] },
      { at: 1000, charge: [[spend(11)]], expect: ['spend/86400000 retry 86399'] },
      { at: 2000, charge: [[spend(10)], [spend(1)], [spend(0)]], expect: ['ok', 'spend/86400000 retry 86398', 'ok'] },
      { at: 3000, charge: [[spend(101)]], expect: ['spend/86400000 never'] },
      { at: 3000, usage: ['spend', DAY], is: 100 },
      { at: DAY, charge: [[spend(91)]], expect: ['spend/86400000 retry 2'] },
      { at: DAY + 1, charge: [[spend(90)]], expect: ['ok'] },
    ],
  },
  {
    name: 'fractional amounts',
    steps: [
      { at: 0, charge: [[lim('f', MIN, 1, 0.25)], [lim('f', MIN, 1, 0.5)], [lim('f', MIN, 1, 0.5)], [lim('f', MIN, 1, 0.25)]], expect: ['ok', 'ok', 'f/60000 retry 60', 'ok'] },
      { at: 10, usage: ['f', MIN], is: 1 },
    ],
  },
  {
    name: 'several windows on one shared counter, and a second counter, all or nothing',
    steps: [
      { at: 0, charge: [[a1(), a5()], [a1(), a5()], [a1(), a5()]], expect: ['ok', 'ok', 'ok'] },
      { at: 500, charge: [[a1(), a5()]], expect: ['a/1000 retry 1'] },
      { at: 1000, charge: [[a1(), a5(), b3()], [a1(), a5(), b3(2)], [a1(), a5(), b3()]], expect: ['ok', 'ok', 'ok'] },
      { at: 1001, charge: [[a1(), a5()]], expect: ['a/1000 retry 1'] },
      // A limit on the same counter with only the long window.
      { at: 1001, charge: [[a5()]], expect: ['ok'] },
      // 7 in the 5 s window now: the short window has room, the long one refuses.
      { at: 2500, charge: [[a1(), a5()]], expect: ['a/5000 retry 3'] },
      // b is full: the request records nothing on a either.
      { at: 2500, charge: [[b3(), a1()]], expect: ['b/3000 retry 2'] },
      { at: 2500, usage: ['a', 5000], is: 7 },
      { at: 2500, usage: ['a', 1000], is: 0 },
      { at: 5001, charge: [[a5(2), a1(2)]], expect: ['ok'] },
      { at: 5001, usage: ['a', 5000], is: 6 },
    ],
  },
  {
    name: 'a counter named twice in one request takes the first amount, once',
    steps: [
      { at: 0, charge: [[lim('s', MIN, 5, 3, 'first'), lim('s', 1000, 5, 1, 'second')]], expect: ['ok'] },
      { at: 0, usage: ['s', MIN], is: 3 },
      { at: 0, usage: ['s', 1000], is: 3 },
      { at: 0, charge: [[lim('s', 1000, 5, 3, 'second'), lim('s', MIN, 5, 1, 'first')]], expect: ['second retry 1'] },
    ],
  },
  {
    name: 'refunds give back exactly what was recorded, only in windows still holding it',
    steps: [
      { at: 0, charge: [[a1(), a5()], [a1(), a5()], [a1(), a5()]], expect: ['ok', 'ok', 'ok'], keep: ['x', 'y', null] },
      { at: 10, charge: [[a1(), a5()]], expect: ['a/1000 retry 1'] },
      { refund: ['x'] },
      { at: 20, usage: ['a', 1000], is: 2 },
      { at: 20, charge: [[a1(), a5()]], expect: ['ok'], keep: ['z'] },
      { at: 2000, usage: ['a', 1000], is: 0 },
      { at: 2000, usage: ['a', 5000], is: 3 },
      // y left the 1 s window: only the 5 s window gives it back.
      { refund: ['y', 'x'] },
      { at: 2000, usage: ['a', 1000], is: 0 },
      { at: 2000, usage: ['a', 5000], is: 2 },
      { at: 2000, charge: [[a1(), a5()], [a1(), a5()], [a1(), a5()], [a1(), a5()]], expect: ['ok', 'ok', 'ok', 'a/1000 retry 1'] },
    ],
  },
  {
    name: 'a clock that goes back is taken at the counter\'s latest time',
    steps: [
      { at: 10_000, charge: [[a1()]], expect: ['ok'] },
      { at: 5_000, charge: [[a1()], [a1()], [a1()]], expect: ['ok', 'ok', 'a/1000 retry 1'] },
      { at: 10_999, usage: ['a', 1000], is: 3 },
      { at: 11_000, usage: ['a', 1000], is: 0 },
      { at: 10_000, charge: [[a1(), a1()], [a1()], [a1()]], expect: ['ok', 'ok', 'ok'] },
    ],
  },
  {
    name: 'a counter a late batch moved forward keeps that time for the rest of the batch',
    steps: [
      { at: 10_000, charge: [[a1()]], expect: ['ok'] },
      // The first request is taken at a's 10 000, which becomes b's time too: the next two are charged at 10 000, not 5 000.
      { at: 5_000, charge: [[a1(), lim('b', 1000, 2)], [lim('b', 1000, 2)], [lim('b', 1000, 2)]], expect: ['ok', 'ok', 'b/1000 retry 1'] },
      { at: 10_999, usage: ['b', 1000], is: 2 },
      { at: 11_000, usage: ['b', 1000], is: 0 },
    ],
  },
];

describe.each(BACKENDS)('the limit suite on %s', (_name, make) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_title, c) => {
    const store = open(make);
    const grant = `suite ${c.name} ${Math.random()}`;
    const kept = new Map<string, GrantTicket>();
    for (const step of c.steps) {
      if ('refund' in step) {
        await store.refundGrant(grant, step.refund.map((label) => kept.get(label)!));
      } else if ('usage' in step) {
        expect(await store.grantUsage(grant, step.usage[0], step.usage[1], step.at), `usage of ${step.usage.join('/')} at ${step.at}`).toBe(step.is);
      } else {
        const results = await store.chargeGrant(grant, step.charge, step.at);
        expect(results.map(outcome), `at ${step.at}`).toEqual(step.expect);
        step.keep?.forEach((label, i) => {
          const r = results[i]!;
          if (label && r.ok) kept.set(label, r.ticket);
        });
      }
    }
  });

  it('keeps grants apart, also grants and counters with the key layout\'s characters', async () => {
    const store = open(make);
    const tag = Math.random();
    const one = lim('x:y}', MIN, 1);
    expect((await store.chargeGrant(`g{1}:${tag}`, [[one]], 0)).map(outcome)).toEqual(['ok']);
    expect((await store.chargeGrant(`g{1}:${tag}`, [[one]], 0)).map(outcome)).toEqual(['x:y}/60000 retry 60']);
    expect((await store.chargeGrant(`g{1}:${tag}:x`, [[one]], 0)).map(outcome)).toEqual(['ok']);
    expect((await store.chargeGrant(`g{1}`, [[lim('x', MIN, 1)]], 0)).map(outcome)).toEqual(['ok']);
  });
});

/** A random op sequence; both backends must agree on every decision and every usage. */
const LIMITS = [lim('a', 1000, 3), lim('a', 5000, 7), lim('b', 3000, 10), lim('c', 2000, 50)];
const opArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('charge' as const),
      dt: fc.nat(1200),
      // A process whose clock is behind another's by up to 3 s charges at now - late.
      late: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(3000) }),
      requests: fc.array(fc.record({ limits: fc.subarray([0, 1, 2, 3], { minLength: 1 }), amount: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 4 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), which: fc.nat() }) },
);

async function play(store: StateStore, grant: string, ops: Array<fc.RecordValue<unknown> & Record<string, unknown>>): Promise<unknown[]> {
  const log: unknown[] = [];
  const tickets: GrantTicket[] = [];
  let now = 100_000;
  for (const op of ops as Array<{ kind: string; dt?: number; late?: number; which?: number; requests?: Array<{ limits: number[]; amount: number }> }>) {
    if (op.kind === 'refund') {
      if (tickets.length === 0) continue;
      const [t] = tickets.splice(op.which! % tickets.length, 1);
      await store.refundGrant(grant, [t!]);
      continue;
    }
    now += op.dt!;
    const at = now - op.late!;
    const results = await store.chargeGrant(
      grant,
      op.requests!.map((r) => r.limits.map((i) => ({ ...LIMITS[i]!, amount: r.amount }))),
      at,
    );
    for (const r of results) if (r.ok) tickets.push(r.ticket);
    log.push(results.map(outcome));
    for (const l of LIMITS) log.push(await store.grantUsage(grant, l.counter, l.windowMs, at));
  }
  return log;
}

describe('SQLite and Redis decide alike', () => {
  it('on random sequences of batched charges, refunds and late clocks', async () => {
    const sqlite = open(BACKENDS[0]![1]);
    const redisStore = open(BACKENDS[1]![1]);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 30 }), async (ops) => {
        const grant = `random ${run++} ${Math.random()}`;
        const mapped = ops as unknown as Array<fc.RecordValue<unknown> & Record<string, unknown>>;
        expect(await play(redisStore, grant, mapped)).toEqual(await play(sqlite, grant, mapped));
      }),
      { numRuns: 40 },
    );
  });

  it('on a long sequence that prunes, with a window added to a counter later', async () => {
    const logs: unknown[][] = [];
    for (const [, make] of BACKENDS) {
      const store = open(make);
      const grant = `long ${Math.random()}`;
      const log: unknown[] = [];
      let now = 0;
      let seed = 7;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 400; i++) {
        now += Math.floor(next() * 300);
        const long = i > 250 ? [lim('p', 20_000, 60)] : [];
        const requests = [[lim('p', 1000, 4, Math.floor(next() * 3)), ...long], [lim('q', 2000, 9)]];
        const results = await store.chargeGrant(grant, requests, now);
        log.push(results.map(outcome));
        if (i % 10 === 0 && results[0]!.ok) await store.refundGrant(grant, [results[0]!.ticket]);
      }
      log.push(await store.grantUsage(grant, 'p', 20_000, now), await store.grantUsage(grant, 'p', 1000, now));
      logs.push(log);
    }
    expect(logs[1]).toEqual(logs[0]);
    expect(logs[0]!.filter((l) => Array.isArray(l) && l[0] === 'ok').length).toBeGreaterThan(50);
  });
});
