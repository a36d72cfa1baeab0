import { copyFileSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Charge } from '../../../src/policy/engine/decision.js';
import { CHECKPOINT_IDLE_MS, SqliteStateStore } from '../../../src/state/sqlite-store.js';

const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
const charge: Charge = { counter: 'c', scope: 'grant', windowMs: 60_000, max: 1_000_000, amount: 1, rule: 'tools.t.limits[0]', refundable: true };

/**
 * Events in the database file alone, as a copy without its WAL shows them: what has been
 * checkpointed into it (none while the rows are only in the WAL).
 */
function eventsInDatabaseFile(stateDir: string): number {
  const copy = mkdtempSync(join(tmpdir(), 'mcp-guard-checkpoint-copy-'));
  copyFileSync(join(stateDir, 'state.db'), join(copy, 'state.db'));
  const db = new Sqlite(join(copy, 'state.db'), { readonly: true });
  try {
    const table = db.prepare("SELECT name FROM sqlite_master WHERE name = 'counter_events'").get();
    return table ? (db.prepare('SELECT COUNT(*) AS n FROM counter_events').get() as { n: number }).n : 0;
  } finally {
    db.close();
  }
}

const stores: SqliteStateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

describe('SqliteStateStore checkpoints', () => {
  it('commits to the WAL during a burst and copies it into the database once writes pause', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'mcp-guard-checkpoint-')), 'state');
    const store = new SqliteStateStore(stateDir);
    stores.push(store);
    // Distinct times, so each commit inserts its own event row.
    for (let i = 0; i < 50; i++) expect(store.chargeGrant('g', [[charge]], 1_000 + i)[0]!.ok).toBe(true);
    // Committed (another connection counts them) but not yet in the database file.
    const other = new SqliteStateStore(stateDir);
    stores.push(other);
    expect(other.grantUsage('g', 'c', 60_000, 2_000)).toBe(50);
    expect(eventsInDatabaseFile(stateDir)).toBe(0);

    const deadline = Date.now() + 5_000;
    while (eventsInDatabaseFile(stateDir) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, CHECKPOINT_IDLE_MS / 2));
    expect(eventsInDatabaseFile(stateDir)).toBe(50);
  });

});
