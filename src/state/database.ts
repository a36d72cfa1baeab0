import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { GuardError } from '../errors.js';
import { ensureDir } from './ensure-dir.js';
import { checkStatePath, type OwnershipEnv } from './permissions.js';

export type Database = BetterSqlite3.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS counter_events (
  id INTEGER PRIMARY KEY,
  grant_id TEXT NOT NULL,
  counter TEXT NOT NULL,
  t INTEGER NOT NULL,
  amount REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS counter_events_window ON counter_events (grant_id, counter, t);
CREATE TABLE IF NOT EXISTS counter_windows (
  grant_id TEXT NOT NULL,
  counter TEXT NOT NULL,
  window_ms INTEGER NOT NULL,
  sum REAL NOT NULL,
  cursor_t INTEGER NOT NULL,
  cursor_id INTEGER NOT NULL,
  PRIMARY KEY (grant_id, counter, window_ms)
);
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  tool TEXT NOT NULL,
  arguments TEXT NOT NULL,
  reason TEXT,
  rule TEXT NOT NULL,
  session TEXT NOT NULL,
  requested_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
);
CREATE TABLE IF NOT EXISTS documents (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
);
`;

/** Pages in the WAL after which a commit checkpoints anyway (SQLite's default is 1,000): ~40 MB. */
const WAL_AUTOCHECKPOINT_PAGES = 10_000;
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** The database file and the files SQLite keeps beside it in WAL mode. */
const DATABASE_FILES = ['state.db', 'state.db-wal', 'state.db-shm'];

/**
 * Opens (creating if needed) the state database: WAL so readers never block the writer, and a
 * busy timeout so concurrent mcp-guard processes wait for each other instead of failing.
 * Loaded lazily: sessions with no grant limits and no CLI approvals never touch SQLite.
 * The dir is created 0700 and the file 0600; a dir or file other users own or may write is
 * refused (STATE_INSECURE, exit 2) before anything is read from it.
 */
export function openStateDatabase(stateDir: string): Database {
  const file = join(stateDir, 'state.db');
  try {
    ensureDir(stateDir);
  } catch (error) {
    throw unavailable(file, error);
  }
  checkStateDir(stateDir);
  try {
    // Created before SQLite opens it, so it never exists with the umask's wider mode.
    closeSync(openSync(file, 'a', 0o600));
    const require = createRequire(import.meta.url);
    const Sqlite = require('better-sqlite3') as typeof BetterSqlite3;
    const db = new Sqlite(file, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // A checkpoint copies the WAL into the database with two fsyncs (milliseconds here), which
    // stalled the relay when a commit set one off every ~1,000 pages. SqliteStateStore checkpoints
    // once writes pause (checkpointIfIdle); the first pragma is the bound for a run that never
    // pauses. The WAL file keeps its size for the next burst (growing it again cost more than the
    // checkpoints saved: 31-33 µs a commit with a 4 MiB limit, 27-28 µs without, 31-33 µs with
    // SQLite's defaults); the second only cuts back one a checkpoint could not keep to the bound.
    db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    throw unavailable(file, error);
  }
}

/** Refuses a state dir, or a database in it, that other users own or may write (SPEC §9). */
export function checkStateDir(stateDir: string, env?: OwnershipEnv): void {
  checkStatePath(stateDir, 'dir', env);
  for (const name of DATABASE_FILES) checkStatePath(join(stateDir, name), 'file', env);
}

function unavailable(file: string, error: unknown): GuardError {
  return new GuardError('STATE_UNAVAILABLE', `the state database ${file} cannot be opened: ${(error as Error).message}`, {
    data: { file },
    cause: error,
  });
}
