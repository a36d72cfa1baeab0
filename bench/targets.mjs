// What the benchmark compares: the same fixture server reached directly, through a raw byte relay,
// through the SDK-transport proxy, and through mcp-guard with two policies.
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
 * Each target's `launch({ nodeFlags, guardBin, policyFile })` returns `{ command, args, env, expectTools, cleanup }` for
 * one run. `nodeFlags` (e.g. --cpu-prof) apply to the process in the middle, not to the fixture.
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
  'guard-policy': {
    label: 'mcp-guard --policy',
    guard: true,
    launch: (options) => launchGuard(options.policyFile, undefined, options),
  },
};

export const DEFAULT_TARGETS = ['direct', 'relay', 'naive', 'guard-allow', 'guard-realistic'];

/** The guard as a client would start it, with a fresh state dir so grant counters start at zero. */
function launchGuard(policyFile, expectTools, { nodeFlags = [], guardBin = DEFAULT_GUARD_BIN } = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-'));
  // Keep the user's own policy and state out of the measurement.
  const env = { ...process.env, MCP_GUARD_STATE_DIR: stateDir };
  delete env.MCP_GUARD_POLICY;
  return {
    command: NODE,
    args: [...nodeFlags, guardBin, '--policy', resolve(BENCH_DIR, 'policies', policyFile), '--state-dir', stateDir, '--', NODE, FIXTURE],
    env,
    expectTools,
    cleanup: () => rmSync(stateDir, { recursive: true, force: true }),
  };
}
