/**
 * The Redis backend when Redis fails (SPEC §13): killed mid-run, restarted, unreachable from the
 * start, stopped without answering, behind a password. Nothing is overspent, every refusal names
 * the store (never its password), and reconnecting is bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { GuardError } from '../../../src/errors.js';
import type { Charge } from '../../../src/policy/engine/decision.js';
import { openStateStore } from '../../../src/state/open-store.js';
import type { GrantTicket, StateStore } from '../../../src/state/store.js';

const GUARD_ACL =
  '~mcp-guard:* -@all +eval +evalsha +hget +hmget +hset +hgetall +hincrby +zadd +zscore +zrangebyscore +zrem +zremrangebyscore +pexpire +exists +info +select +client|setname +ping +quit';
import { freePort, type RedisServer, startRedis } from '../../support/redis-server.js';

const cleanup: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function store(url: string): Promise<StateStore> {
  const s = await openStateStore({ state: url, env: {} });
  cleanup.push(() => s.close());
  return s;
}

async function server(options: Parameters<typeof startRedis>[0] = {}): Promise<RedisServer> {
  const s = await startRedis(options);
  cleanup.push(() => s.stop());
  return s;
}

const cap = (max: number, amount = 1): Charge => ({ counter: 'paid-api', scope: 'grant', windowMs: 86_400_000, max, amount, rule: 'tools.pay.limits[0]' });

/** The error a call was refused with; fails the test when the call succeeded. */
async function refusal(p: Promise<unknown> | unknown): Promise<GuardError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(GuardError);
    return error as GuardError;
  }
  throw new Error('the call was expected to be refused');
}

describe('Redis killed mid-run and restarted', () => {
  it('refuses while it is down, works again once it is back, and never overspends', async () => {
    const first = await server({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    const { port, dir } = first;
    const stores = [await store(`redis://127.0.0.1:${port}/0`), await store(`redis://localhost:${port}/0`)];
    const max = 120;
    let allowed = 0;
    const refusals: GuardError[] = [];
    let phase: 'up' | 'down' | 'back' = 'up';
    const worker = async (s: StateStore) => {
      for (let i = 0; i < 10_000; i++) {
        try {
          const results = await s.chargeGrant('fleet', [[cap(max)], [cap(max)], [cap(max)]], 1_000 + i);
          allowed += results.filter((r) => r.ok).length;
          if (phase === 'back' && results.every((r) => !r.ok)) return;
        } catch (error) {
          refusals.push(error as GuardError);
          if (phase === 'up') throw error;
          // Refused at once, not queued: wait a little before the next call, as a client would.
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const running = stores.map(worker);
    await expect.poll(() => allowed, { timeout: 20_000, interval: 5 }).toBeGreaterThanOrEqual(30);
    phase = 'down';
    await first.kill();
    const atKill = allowed;
    await expect.poll(() => refusals.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(10);
    // Nothing was allowed while Redis was down.
    expect(allowed - atKill).toBeLessThanOrEqual(6);
    for (const e of refusals) {
      expect(e.code).toBe('STATE_UNAVAILABLE');
      expect(e.message).toMatch(new RegExp(`the state store redis://(127\\.0\\.0\\.1|localhost):${port}/0 cannot be used`));
    }
    // The same port and data dir: the append-only file brings the counters back.
    const restarted = await startRedis({ port, dir, args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    cleanup.push(() => restarted.stop());
    phase = 'back';
    await Promise.all(running);
    // Every unit allowed is recorded; calls whose answer was lost in the kill may be counted
    // without having been allowed (stricter, never looser).
    expect(allowed).toBeLessThanOrEqual(max);
    expect(allowed).toBeGreaterThanOrEqual(max - 6);
    expect(await stores[0]!.grantUsage('fleet', 'paid-api', 86_400_000, 20_000)).toBe(max);
  }, 90_000);
});

describe('Redis unreachable from the start', () => {
  it('refuses the calls that need it, at once and with its name, passes the others, and reconnects at a bounded pace', async () => {
    // A listener that drops every connection: counts how often the client tries.
    let attempts = 0;
    const sockets: Socket[] = [];
    const dropper = createServer((socket) => {
      attempts++;
      sockets.push(socket);
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => dropper.listen(port, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => dropper.close(resolve)));
    const s = await store(`redis://127.0.0.1:${port}/2`);
    const first = await refusal(s.chargeGrant('g', [[cap(5)]], 0));
    expect(first.code).toBe('STATE_UNAVAILABLE');
    expect(first.message).toContain(`the state store redis://127.0.0.1:${port}/2 cannot be used`);
    expect((await refusal(s.listPendingApprovals(0))).code).toBe('STATE_UNAVAILABLE');
    expect((await refusal(s.createApproval({ tool: 't', arguments: {}, reason: undefined, rule: 'r', session: 's', now: 0, timeoutMs: 1000 }))).code).toBe('STATE_UNAVAILABLE');
    // A batch with no grant charges needs no store.
    expect(await s.chargeGrant('g', [[], []], 0)).toEqual([
      { ok: true, ticket: { events: [] } },
      { ok: true, ticket: { events: [] } },
    ]);
    const before = attempts;
    const calls: number[] = [];
    for (let i = 0; i < 40; i++) {
      const started = performance.now();
      await refusal(s.chargeGrant('g', [[cap(5)]], 0));
      calls.push(performance.now() - started);
      await new Promise((r) => setTimeout(r, 50));
    }
    // 40 calls over 2+ s: refused without waiting for a connection (nothing queues), while the
    // client tried to reconnect a handful of times (backoff to 2 s), not in a loop.
    expect(Math.max(...calls)).toBeLessThan(1000);
    expect(attempts - before).toBeGreaterThanOrEqual(1);
    expect(attempts - before).toBeLessThanOrEqual(15);
  }, 60_000);

  it('works once a server appears on that port', async () => {
    const port = await freePort();
    const s = await store(`redis://127.0.0.1:${port}/0`);
    await refusal(s.chargeGrant('g', [[cap(5)]], 0));
    await server({ port });
    await expect.poll(async () => (await Promise.resolve(s.chargeGrant('g', [[cap(5)]], 0)).catch(() => []))[0]?.ok === true, { timeout: 20_000, interval: 200 }).toBe(true);
  }, 60_000);
});

describe('Redis that does not answer', () => {
  it('fails a call after the command timeout instead of waiting for ever', async () => {
    const r = await server();
    const s = await store(r.url());
    expect((await s.chargeGrant('g', [[cap(5)]], 0))[0]!.ok).toBe(true);
    const admin = new Redis(r.port, '127.0.0.1');
    const pid = Number(/process_id:(\d+)/.exec(await admin.info('server'))?.[1]);
    await admin.quit();
    process.kill(pid, 'SIGSTOP');
    try {
      const e = await refusal(s.chargeGrant('g', [[cap(5)]], 1));
      expect(e.message).toMatch(/cannot be used: no answer within 5 s/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 30_000);
});

describe('Redis with credentials', () => {
  it('logs in with the URL\'s user and password, and never shows the password', async () => {
    // The least an ACL user needs (docs/state-backends.md): its own keys, the scripts' commands.
    const r = await server({ args: ['--user', 'default', 'off', '--user', 'agent', 'on', '>s3cret-pw', ...GUARD_ACL.split(' ')] });
    const good = await store(`redis://agent:s3cret-pw@127.0.0.1:${r.port}/0`);
    expect(good.description).toBe(`redis://agent@127.0.0.1:${r.port}/0`);
    expect((await good.chargeGrant('g', [[cap(1)], [cap(1)]], 0)).map((x) => x.ok)).toEqual([true, false]);
    // Enough inserts to prune, a refund, usage, approvals and documents: every script under the ACL.
    const minute = { ...cap(1000), windowMs: 1000 };
    for (let i = 0; i < 70; i++) expect((await good.chargeGrant('g', [[minute]], i * 2000))[0]!.ok).toBe(true);
    const [taken] = await good.chargeGrant('g', [[minute]], 200_000);
    await good.refundGrant('g', [(taken as { ticket: GrantTicket }).ticket]);
    expect(await good.grantUsage('g', 'paid-api', 1000, 200_000)).toBe(0);
    const id = await good.createApproval({ tool: 't', arguments: {}, reason: undefined, rule: 'r', session: 's', now: 0, timeoutMs: 60_000 });
    expect((await good.listPendingApprovals(1)).map((p) => p.id)).toEqual([id]);
    expect(await good.answerApproval(id, 'denied', 2)).toBe(true);
    expect(await good.writeDocument('pins', 'k', { a: 1 }, undefined)).toBe(1);
    expect(await good.listDocuments('pins', '')).toHaveLength(1);
    const bad = await store(`redis://agent:wrong-pw@127.0.0.1:${r.port}/0`);
    const e = await refusal(bad.chargeGrant('g', [[cap(1)]], 0));
    expect(e.code).toBe('STATE_UNAVAILABLE');
    expect(e.message).toContain(`redis://agent@127.0.0.1:${r.port}/0`);
    expect(e.message).not.toContain('wrong-pw');
    expect(e.message).toMatch(/WRONGPASS|invalid username-password/);
  }, 30_000);
});

describe('scripts the server has forgotten', () => {
  it('are loaded again (EVALSHA, then EVAL on NOSCRIPT)', async () => {
    const r = await server();
    const s = await store(r.url());
    expect((await s.chargeGrant('g', [[cap(2)]], 0))[0]!.ok).toBe(true);
    const admin = new Redis(r.port, '127.0.0.1');
    cleanup.push(() => admin.quit());
    await admin.script('FLUSH');
    expect((await s.chargeGrant('g', [[cap(2)]], 1))[0]!.ok).toBe(true);
    expect((await s.chargeGrant('g', [[cap(2)]], 2))[0]!.ok).toBe(false);
    const keys = await admin.keys('mcp-guard:*');
    expect(keys.sort()).toEqual(['mcp-guard:{g}:counter:paid-api:events', 'mcp-guard:{g}:counter:paid-api:windows']);
    // Keys expire after the longest window (plus a minute's grace).
    for (const key of keys) {
      const ttl = await admin.pttl(key);
      expect(ttl).toBeGreaterThan(86_400_000);
      expect(ttl).toBeLessThanOrEqual(86_400_000 + 60_000);
    }
  });
});
