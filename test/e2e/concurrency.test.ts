/**
 * Grant counters under concurrency (SPEC §3 `scope: "grant"`): eight mcp-guard processes with one
 * grant id hammer one counter at once, and a guard killed with SIGKILL while it writes leaves a
 * state database that opens, passes SQLite's integrity check and keeps counting where it was.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ECHO_SERVER, RawGuard, workspace } from './support/guard.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;

const running: RawGuard[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) {
    g.child.kill('SIGKILL');
    await g.exit;
  }
});

/** A guard on a shared policy file and state dir (so one grant), with its own record file. */
function guardOn(policyFile: string, stateDir: string, recordFile: string): RawGuard {
  const child = spawn(process.execPath, [BIN, '--quiet', '--policy', policyFile, '--state-dir', stateDir, '--', process.execPath, ECHO_SERVER], {
    env: { ...process.env, RECORD_FILE: recordFile },
  });
  const g = new RawGuard(child);
  running.push(g);
  return g;
}

const call = (id: string, name: string) => `{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"${name}","arguments":{}}}`;

function calls(recordFile: string, name: string): number {
  if (!existsSync(recordFile)) return 0;
  return readFileSync(recordFile, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"tools/call"') && l.includes(`"name":"${name}"`)).length;
}

function allowed(g: RawGuard, prefix: string): number {
  return g.lines.filter((l) => typeof l === 'object' && String(l.id).startsWith(prefix) && !(l.result as { isError?: boolean } | undefined)?.isError).length;
}

describe('grant counters shared by eight processes', () => {
  it('never allow more than max, and lose no unit, while eight guards call at once', async () => {
    const max = 150;
    const perGuard = 60;
    const ws = workspace({ version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'shared', window: 'hour', max, scope: 'grant' }] } } });
    const guards = Array.from({ length: 8 }, (_, i) => guardOn(ws.policyFile, ws.stateDir, join(ws.dir, `received-${i}.jsonl`)));
    // Each guard gets its calls in several bursts, so the processes interleave on the database.
    for (let burst = 0; burst < 4; burst++) {
      guards.forEach((g, i) => {
        const lines: string[] = [];
        for (let k = 0; k < perGuard / 4; k++) lines.push(call(`g${i}-${burst}-${k}`, 'python_venv'));
        g.send(...lines);
      });
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(guards.map((g) => g.waitFor(perGuard, 60_000)));
    const total = guards.reduce((sum, g, i) => sum + allowed(g, `g${i}-`), 0);
    expect(total).toBe(max);
    const received = guards.reduce((sum, _, i) => sum + calls(join(ws.dir, `received-${i}.jsonl`), 'python_venv'), 0);
    expect(received).toBe(max);
    for (const g of guards) expect(await g.close()).toEqual({ code: 0, signal: null });
  }, 90_000);

  it('give back the units of failed calls exactly once, whoever checks in between', async () => {
    const max = 40;
    // `error` answers with a JSON-RPC error, so its unit comes back; python_venv calls keep theirs.
    const limit = { counter: 'mixed', window: 'hour', max, scope: 'grant' };
    const ws = workspace({ version: '1', default: 'deny', tools: { python_venv: { limits: [limit] }, error: { limits: [limit] } } });
    const guards = Array.from({ length: 8 }, (_, i) => guardOn(ws.policyFile, ws.stateDir, join(ws.dir, `received-${i}.jsonl`)));
    guards.forEach((g, i) => g.send(...Array.from({ length: 30 }, (_, k) => call(`g${i}-${k}`, k % 2 === 0 ? 'error' : 'python_venv'))));
    await Promise.all(guards.map((g) => g.waitFor(30, 60_000)));
    for (const g of guards) expect(await g.close()).toEqual({ code: 0, signal: null });
    const venvCalls = guards.reduce((sum, _, i) => sum + calls(join(ws.dir, `received-${i}.jsonl`), 'python_venv'), 0);
    expect(venvCalls).toBeLessThanOrEqual(max);
    // What the database counts now is exactly the calls that kept their unit.
    const db = new Sqlite(join(ws.stateDir, 'state.db'), { readonly: true });
    try {
      expect((db.prepare("SELECT COALESCE(SUM(amount), 0) AS s FROM counter_events WHERE counter = 'mixed'").get() as { s: number }).s).toBe(venvCalls);
    } finally {
      db.close();
    }
    // And a new guard sees exactly the room that is left.
    const fresh = guardOn(ws.policyFile, ws.stateDir, join(ws.dir, 'received-fresh.jsonl'));
    fresh.send(...Array.from({ length: max + 5 }, (_, k) => call(`f-${k}`, 'python_venv')));
    await fresh.waitFor(max + 5, 30_000);
    expect(allowed(fresh, 'f-')).toBe(max - venvCalls);
    await fresh.close();
  }, 90_000);
});

describe('a guard killed with SIGKILL while it writes', () => {
  it('leaves a database that opens, passes the integrity check, and counts on from where it was', async () => {
    const ws = workspace({ version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'hammer', window: 'day', max: 1_000_000, scope: 'grant' }] } } });
    mkdirSync(ws.stateDir, { recursive: true });
    for (let round = 0; round < 3; round++) {
      const g = guardOn(ws.policyFile, ws.stateDir, join(ws.dir, `killed-${round}.jsonl`));
      // Keep it busy: a stream of calls, each one a write transaction.
      let n = 0;
      const feeder = setInterval(() => {
        const burst: string[] = [];
        for (let k = 0; k < 50; k++) burst.push(call(`k${round}-${n++}`, 'python_venv'));
        g.send(...burst);
      }, 5);
      await g.waitFor(200, 20_000);
      g.child.kill('SIGKILL');
      clearInterval(feeder);
      await g.exit;
      running.splice(running.indexOf(g), 1);
      expect(g.lines.length).toBeGreaterThan(0);
    }

    const db = new Sqlite(join(ws.stateDir, 'state.db'));
    let used: number;
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // The calls of one chunk are one row of their summed units.
      used = (db.prepare("SELECT SUM(amount) AS n FROM counter_events WHERE counter = 'hammer'").get() as { n: number }).n;
    } finally {
      db.close();
    }
    expect(used).toBeGreaterThanOrEqual(600);

    // Exactly three more fit once the maximum is what was used plus three.
    writeFileSync(ws.policyFile, JSON.stringify({ version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'hammer', window: 'day', max: used + 3, scope: 'grant' }] } } }));
    const after = guardOn(ws.policyFile, ws.stateDir, join(ws.dir, 'after.jsonl'));
    after.send(...Array.from({ length: 10 }, (_, k) => call(`a-${k}`, 'python_venv')));
    await after.waitFor(10, 20_000);
    expect(allowed(after, 'a-')).toBe(3);
    expect(await after.close()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
