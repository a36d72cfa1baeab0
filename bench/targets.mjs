// What the benchmark compares: the same fixture server reached directly, through a raw byte relay,
// through the SDK-transport proxy, and through mcp-guard with two policies, the realistic one over
// both state backends.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = dirname(BENCH_DIR);
const NODE = process.execPath;
const FIXTURE = join(BENCH_DIR, 'fixture-server.mjs');
/** The mcp-guard entry the guard targets run; `--guard <file>` points it at another build. */
export const DEFAULT_GUARD_BIN = join(ROOT_DIR, 'bin', 'mcp-guard.js');
/** Tools the realistic policy leaves visible: the fixture's 23 minus the three it does not name or hides. */
const REALISTIC_TOOLS = 20;

/**
 * Each target's `launch({ nodeFlags, guardBin, policyFile, redis })` returns (or resolves to)
 * `{ command, args, env, expectTools, cleanup }` for one run. `nodeFlags` (e.g. --cpu-prof) apply
 * to the process in the middle, not to the fixture. A target with `redis: true` needs the
 * redis-server that run.mjs starts (bench/redis-server.mjs), passed as `redis`.
 */
export const TARGETS = {
  direct: {
    label: 'direct',
    launch: () => ({ command: NODE, args: [FIXTURE] }),
  },
  relay: {
    label: 'raw relay',
    launch: ({ nodeFlags = [] } = {}) => ({ command: NODE, args: [...nodeFlags, join(BENCH_DIR, 'raw-relay.mjs'), NODE, FIXTURE] }),
  },
  naive: {
    label: 'naive SDK proxy',
    launch: ({ nodeFlags = [] } = {}) => ({ command: NODE, args: [...nodeFlags, join(BENCH_DIR, 'naive-proxy.mjs'), NODE, FIXTURE] }),
  },
  'guard-allow': {
    label: 'mcp-guard allow-all',
    guard: true,
    launch: (options) => launchGuard('allow-all.policy.json', undefined, options),
  },
  'guard-realistic': {
    label: 'mcp-guard realistic',
    guard: true,
    launch: (options) => launchGuard('realistic.policy.json', REALISTIC_TOOLS, options),
  },
  'guard-realistic-redis': {
    label: 'mcp-guard realistic Redis',
    guard: true,
    redis: true,
    launch: async (options) => {
      // Each run starts from an empty database, as the SQLite target starts from a fresh state dir
      // (no counters, no pins: the first listing pins the tools in both).
      await options.redis.flush();
      return launchGuard('realistic.policy.json', REALISTIC_TOOLS, options, options.redis.url);
    },
  },
  'guard-policy': {
    label: 'mcp-guard --policy',
    guard: true,
    launch: (options) => launchGuard(options.policyFile, undefined, options),
  },
};

export const DEFAULT_TARGETS = ['direct', 'relay', 'naive', 'guard-allow', 'guard-realistic', 'guard-realistic-redis'];

/**
 * The guard as a client would start it, with a fresh state dir so grant counters start at zero;
 * with `stateUrl`, its state is there instead (the state dir then holds nothing the run uses).
 */
export function launchGuard(policyFile, expectTools, { nodeFlags = [], guardBin = DEFAULT_GUARD_BIN } = {}, stateUrl = undefined) {
  const stateDir = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-'));
  // Keep the user's own policy and state out of the measurement.
  const env = { ...process.env, MCP_GUARD_STATE_DIR: stateDir };
  delete env.MCP_GUARD_POLICY;
  delete env.MCP_GUARD_STATE;
  const state = stateUrl ? ['--state', stateUrl] : ['--state-dir', stateDir];
  return {
    command: NODE,
    args: [...nodeFlags, guardBin, '--policy', resolve(BENCH_DIR, 'policies', policyFile), ...state, '--', NODE, FIXTURE],
    env,
    expectTools,
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}
