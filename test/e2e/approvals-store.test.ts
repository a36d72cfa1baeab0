/**
 * `approvals`, `approve`, `deny` and `approvals --watch` through the state store (SPEC §6, §13),
 * as the built CLI: Redis approvals answered "from another machine" (another URL of the same
 * server), the store's resolution order, and a real terminal for --watch (`script` gives a pty).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '../../src/state/open-store.js';
import type { NewApproval, StateStore } from '../../src/state/store.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { BIN } from './support/guard.js';

let redis: RedisServer;
const stores: StateStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await redis?.stop();
});

async function machine(state: string): Promise<StateStore> {
  const s = await openStateStore({ state, env: {} });
  stores.push(s);
  return s;
}

const request = (over: Partial<NewApproval> = {}): NewApproval => ({
  tool: 'delete_file',
  arguments: { path: '/srv/data' },
  reason: 'deleting needs a person',
  rule: 'tools.delete_file',
  session: 'sess01',
  now: Date.now(),
  timeoutMs: 120_000,
  ...over,
});

function cli(args: string[], env: Record<string, string> = {}) {
  const { MCP_GUARD_STATE: _s, MCP_GUARD_STATE_DIR: _d, ...rest } = process.env;
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...rest, NO_COLOR: '1', ...env } });
}

describe('approvals through Redis, across machines', () => {
  it('lists, approves and denies from another machine, naming the store', async () => {
    const guard = await machine(redis.url(4));
    const terminal = redis.url(4, 'localhost');
    const a = await guard.createApproval(request());
    const b = await guard.createApproval(request({ tool: 'drop_table', reason: undefined }));

    const listed = cli(['approvals', '--state', terminal]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`redis://localhost:${redis.port}/4`);
    expect(listed.stdout).toContain(a);
    expect(listed.stdout).toContain('drop_table');

    const json = cli(['approvals', '--json', '--state', terminal]);
    expect(json.status).toBe(0);
    const pending = JSON.parse(json.stdout) as Array<{ id: string; tool: string; reason: string | null }>;
    expect(pending.map((p) => p.id).sort()).toEqual([a, b].sort());
    expect(pending.find((p) => p.id === b)).toMatchObject({ tool: 'drop_table', reason: null });
    expect(json.stderr).toContain(`redis://localhost:${redis.port}/4`);

    expect(cli(['approve', a, '--state', terminal]).status).toBe(0);
    expect(await guard.approvalStatus(a)).toBe('approved');
    expect(cli(['deny', b], { MCP_GUARD_STATE: terminal }).status).toBe(0);
    expect(await guard.approvalStatus(b)).toBe('denied');
    // Already answered: nothing pending by that id.
    const again = cli(['deny', a, '--state', terminal]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^mcp-guard: no pending approval with id "[0-9a-f]{8}" in redis:\/\/localhost:\d+\/4/);
    expect(JSON.parse(cli(['approvals', '--json', '--state', terminal]).stdout)).toEqual([]);
  });

  it('finds the store by --state, MCP_GUARD_STATE, the policy\'s state key, --state-dir, MCP_GUARD_STATE_DIR, in that order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-order-'));
    const viaRedis = await machine(redis.url(5));
    const viaSqlite = await machine(`sqlite:${join(dir, 'state')}`);
    const inRedis = await viaRedis.createApproval(request());
    const inSqlite = await viaSqlite.createApproval(request());
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ version: '1', default: 'deny', state: redis.url(5) }));
    const sqlitePolicy = join(dir, 'local.json');
    writeFileSync(sqlitePolicy, JSON.stringify({ version: '1', default: 'deny', state: 'sqlite:state' }));
    const ids = (r: ReturnType<typeof cli>) => (JSON.parse(r.stdout) as Array<{ id: string }>).map((p) => p.id);

    expect(ids(cli(['approvals', '--json', '--policy', policy]))).toEqual([inRedis]);
    // A relative sqlite dir in a policy is taken from the policy file's directory.
    expect(ids(cli(['approvals', '--json', '--policy', sqlitePolicy]))).toEqual([inSqlite]);
    expect(ids(cli(['approvals', '--json', '--policy', policy, '--state-dir', join(dir, 'state')]))).toEqual([inRedis]);
    expect(ids(cli(['approvals', '--json', '--policy', policy], { MCP_GUARD_STATE: `sqlite:${join(dir, 'state')}` }))).toEqual([inSqlite]);
    expect(ids(cli(['approvals', '--json', '--state', redis.url(5)], { MCP_GUARD_STATE: `sqlite:${join(dir, 'state')}` }))).toEqual([inRedis]);
    expect(ids(cli(['approvals', '--json', '--state-dir', join(dir, 'state')], { MCP_GUARD_STATE_DIR: join(dir, 'elsewhere') }))).toEqual([inSqlite]);
    expect(ids(cli(['approvals', '--json'], { MCP_GUARD_STATE_DIR: join(dir, 'state') }))).toEqual([inSqlite]);

    const both = cli(['approvals', '--state', redis.url(5), '--state-dir', dir]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/^mcp-guard: --state and --state-dir both name the store/);
    const bad = cli(['approvals', '--state', 'memcached://x']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses, naming the store and not its password, when Redis cannot be reached', () => {
    const r = cli(['approvals', '--state', 'redis://agent:hunter2@127.0.0.1:1/0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mcp-guard: the state store redis:\/\/agent@127\.0\.0\.1:1\/0 cannot be used/);
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('approvals --watch', () => {
  it('is a usage error off a terminal', () => {
    const r = cli(['approvals', '--watch', '--state', redis.url(6)]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mcp-guard: approvals --watch asks on a terminal/);
  });

  it.each([
    ['redis', () => redis.url(7)],
    ['sqlite', () => `sqlite:${mkdtempSync(join(tmpdir(), 'mcp-guard-watch-'))}/state`],
  ])('asks y/N on a terminal for each call as it arrives, on %s, until Ctrl-C', async (_name, url) => {
    const state = url();
    const guard = await machine(state);
    const first = await guard.createApproval(request({ tool: 'first_tool' }));
    const quoted = [process.execPath, BIN, 'approvals', '--watch', '--state', state].map((a) => `'${a}'`).join(' ');
    const child = execa('script', ['-qec', quoted, '/dev/null'], { env: { ...process.env, NO_COLOR: '1' }, reject: false, timeout: 60_000 });
    let seen = '';
    child.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
    const waitFor = async (text: string) => {
      await expect.poll(() => seen, { timeout: 20_000, interval: 50 }).toContain(text);
    };
    await waitFor(`Approve ${first}? [y/N]`);
    expect(seen).toContain('first_tool');
    child.stdin!.write('y\r');
    await expect.poll(() => guard.approvalStatus(first), { timeout: 10_000 }).toBe('approved');
    // A call that arrives while watching is asked about too.
    const second = await guard.createApproval(request({ tool: 'second_tool' }));
    await waitFor(`Approve ${second}? [y/N]`);
    child.stdin!.write('\r');
    await expect.poll(() => guard.approvalStatus(second), { timeout: 10_000 }).toBe('denied');
    child.stdin!.write('\x03');
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(seen).toContain('Stopped watching');
  }, 90_000);
});

describe('state dir hardening, end to end (SPEC §9)', () => {
  it('refuses a group- or world-writable state dir with exit 2 and one line naming it and the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-open-'));
    chmodSync(dir, 0o777);
    const r = cli(['approvals', '--state-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`mcp-guard: the state dir ${dir} is writable by its group and every user (mode 0777), who could change its counters and approvals; run: chmod 700 ${dir}   (or choose another --state-dir)`]);
    chmodSync(dir, 0o700);
    expect(cli(['approvals', '--state-dir', dir]).status).toBe(0);
    chmodSync(join(dir, 'state.db'), 0o620);
    const file = cli(['approve', 'abcd1234', '--state', `sqlite:${dir}`]);
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/^mcp-guard: the state database .*state\.db is writable by its group \(mode 0620\).*chmod 600/);
  });

  it('refuses a state dir another user owns', () => {
    // As root: a dir given to nobody. Otherwise: a dir root owns.
    let dir = '/usr';
    if (process.getuid?.() === 0) {
      dir = mkdtempSync(join(tmpdir(), 'mcp-guard-theirs-'));
      chownSync(dir, 65534, 65534);
    }
    const r = cli(['approvals', '--state-dir', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^mcp-guard: the state dir ${dir} belongs to another user \\(uid \\d+, you are uid \\d+\\)`));
  });

  it('creates a new state dir 0700 with its database 0600', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'mcp-guard-fresh-')), 'deep', 'state');
    expect(cli(['approvals', '--state-dir', dir]).status).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'state.db')).mode & 0o777).toBe(0o600);
  });
});
