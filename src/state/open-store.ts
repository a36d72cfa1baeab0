import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';
import { checkStateDir } from './database.js';
import { SqliteStateStore } from './sqlite-store.js';
import { resolveStateDir } from './state-dir.js';
import { type StateLocation, parseStateUrl, sqliteLocation } from './state-url.js';
import type { StateStore } from './store.js';

/** Everything that can name the store, from the command line, the environment and the policy. */
export interface StateOptions {
  /** `--state <url>`. */
  state?: string | undefined;
  /** `--state-dir <dir>`. */
  stateDir?: string | undefined;
  /** The policy's `state` key and the policy file it is in (relative sqlite dirs are taken against its directory). */
  policy?: { state: string | undefined; file: string } | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  cwd?: string;
}

/** Where the store is, and which setting said so. */
export interface ResolvedState {
  location: StateLocation;
  from: string;
}

/**
 * Resolves the store (SPEC §13), first match wins: `--state`, MCP_GUARD_STATE, the policy's
 * `state`, `--state-dir` (= `sqlite:<dir>`), MCP_GUARD_STATE_DIR, the platform state dir.
 */
export function resolveState(options: StateOptions): ResolvedState {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.state !== undefined && options.stateDir !== undefined) {
    throw new UsageError('--state and --state-dir both name the store; give one of them (--state-dir <dir> is --state sqlite:<dir>)');
  }
  if (options.state !== undefined) return { location: parseStateUrl(options.state, '--state', cwd), from: '--state' };
  if (env.MCP_GUARD_STATE) return { location: parseStateUrl(env.MCP_GUARD_STATE, 'MCP_GUARD_STATE', cwd), from: 'MCP_GUARD_STATE' };
  if (options.policy?.state !== undefined) {
    const from = `the "state" key of ${options.policy.file}`;
    return { location: parseStateUrl(options.policy.state, from, dirname(options.policy.file)), from };
  }
  if (options.stateDir !== undefined) return { location: sqliteLocation(options.stateDir, cwd), from: '--state-dir' };
  if (env.MCP_GUARD_STATE_DIR) return { location: sqliteLocation(env.MCP_GUARD_STATE_DIR, cwd), from: 'MCP_GUARD_STATE_DIR' };
  return { location: sqliteLocation(resolveStateDir(undefined, env, options.platform), cwd), from: 'the platform state dir' };
}

/**
 * Opens the store the options name. Nothing is connected or opened yet: the SQLite database opens
 * and Redis connects on first use, so a session that never needs the store never loads either.
 * An existing state dir that other users own or may write is refused here (STATE_INSECURE, exit 2).
 * The Redis client library is imported only for a Redis URL.
 */
export async function openStateStore(options: StateOptions | ResolvedState): Promise<StateStore> {
  const { location } = 'location' in options ? options : resolveState(options);
  if (location.kind === 'sqlite') {
    if (existsSync(location.dir)) checkStateDir(location.dir);
    return new SqliteStateStore(location.dir);
  }
  const { RedisStateStore } = await import('./redis-store.js');
  return new RedisStateStore(location);
}
