#!/usr/bin/env node
// The linear-time matching cases (SPEC §4: "Matching takes linear time"): tool names, resource
// URIs and arguments that almost match globs and patterns on which a backtracking matcher takes
// polynomial or exponential time, sent through the BUILT mcp-guard in a real session with the
// fixture server, at sizes ten times apart. It prints per-call times; it asserts nothing.
//   node bench/matching.mjs [--quick] [--guard <file>] [--json]      (npm run bench runs it too)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RpcClient, nowNs } from './rpc-client.mjs';
import { sectionMain } from './section-cli.mjs';
import { DEFAULT_GUARD_BIN, launchGuard } from './targets.mjs';

/** Calls per size and session: `full` for `npm run bench`, `quick` for the smoke test. */
export const MATCHING_COUNTS = {
  full: { warmupCalls: 20, calls: 150 },
  quick: { warmupCalls: 1, calls: 3 },
};

const WORST_POLICY = 'matching.policy.json';
const CONTROL_POLICY = 'matching-control.policy.json';

/**
 * Each case: the input at `size` characters, and what the answer must be (the same under both
 * policies: the worst-case glob or pattern never matches, so every call is let through).
 * Names are refused past 1,024 characters and URIs past 8,192 (SPEC §4), so only arguments reach 100k.
 */
export const MATCHING_CASES = [
  {
    id: 'name-glob',
    label: 'tool name vs hide "*_*_*_*_*_x"',
    input: '"_" repeated',
    sizes: [10, 100, 1000],
    method: 'tools/call',
    params: (size) => ({ name: '_'.repeat(size), arguments: {} }),
    // Not hidden, so the fixture answers it (as an unknown tool).
    expect: (message) => message.result?.content?.[0]?.text?.startsWith('unknown tool ') === true,
  },
  {
    id: 'uri-glob',
    label: 'resources/read URI vs "file:///**/*a*a*a*a*a*x"',
    input: '"file:///d/aaa…a"',
    sizes: [80, 800, 8000],
    method: 'resources/read',
    params: (size) => ({ uri: `file:///d/${'a'.repeat(size - 'file:///d/'.length)}` }),
    // Not denied, so the fixture answers it (it serves no resources).
    expect: (message) => message.error?.code === -32601,
  },
  {
    id: 'args-lazy',
    label: 'argument vs pattern "^(.*?,){11}P"',
    input: '"," repeated',
    sizes: [1000, 10_000, 100_000],
    method: 'tools/call',
    params: (size) => ({ name: 'query_database', arguments: { sql: ','.repeat(size) } }),
    expect: (message) => message.result?.content?.[0]?.text === 'query_database: done',
  },
  {
    id: 'args-nested',
    label: 'argument vs pattern "^(a+)+$"',
    input: '"aaa…a!"',
    sizes: [1000, 10_000, 100_000],
    method: 'tools/call',
    params: (size) => ({ name: 'git_commit', arguments: { repo: 'r', message: `${'a'.repeat(size - 1)}!` } }),
    expect: (message) => message.result?.content?.[0]?.text === 'git_commit: done',
  },
];

/** Rejects with `what` named when `promise` takes longer than `timeoutMs`. */
async function within(timeoutMs, what, promise, client) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      const tail = client.stderrTail.trim();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms${tail ? `; its stderr ends:\n${tail}` : ''}`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A guard session with `policyFile`, initialized. */
function openSession(policyFile, { guardBin, nodeFlags }, timeoutMs) {
  return openLaunched(launchGuard(policyFile, undefined, { guardBin, nodeFlags }), policyFile, timeoutMs);
}

/** A session with what `launch` starts (a target's launch: command, args, env, cleanup), initialized; `label` names it in errors. */
export async function openLaunched(launch, label, timeoutMs) {
  const client = new RpcClient(launch.command, launch.args, { env: launch.env });
  const cleanup = launch.cleanup ?? (() => {});
  try {
    await within(
      timeoutMs,
      `${label}: initialize`,
      client.request('initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-guard-bench', version: '1.0.0' } }),
      client,
    );
    client.notify('notifications/initialized');
  } catch (error) {
    client.kill();
    cleanup();
    throw error;
  }
  return { client, policyFile: label, cleanup };
}

/** One call, timed from the write to its answer (µs); throws when the answer is not the expected one. */
function timedCall(session, method, paramsJson, expect) {
  return new Promise((resolve, reject) => {
    const start = nowNs();
    session.client.sendMany(method, paramsJson, 1, (error, message) => {
      const micros = (nowNs() - start) / 1e3;
      if (message && expect(message)) resolve(micros);
      else reject(new Error(`${session.policyFile}: unexpected answer to ${method}: ${message ? JSON.stringify(message).slice(0, 300) : error?.message}`));
    });
  });
}

function median(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs every case at every size through two sessions at once, calls alternating between them so
 * drift on a shared machine hits both: one with the worst-case policy and one with the control
 * policy (same calls, same answers, matching that stops at the first character). Returns
 * `{ counts, cases: [{ id, label, input, rows: [{ size, perCallUs, controlUs, addedUs }] }] }`.
 */
export async function measureMatching({ guardBin = DEFAULT_GUARD_BIN, quick = false, timeoutMs = 30_000, cpuProfDir, progress = () => {} } = {}) {
  const counts = quick ? MATCHING_COUNTS.quick : MATCHING_COUNTS.full;
  const profile = (name) => (cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  const opens = [
    () => openSession(WORST_POLICY, { guardBin, nodeFlags: profile('matching-worst') }, timeoutMs),
    () => openSession(CONTROL_POLICY, { guardBin, nodeFlags: profile('matching-control') }, timeoutMs),
  ];
  return withSessions(opens, async (sessions) => {
    const cases = [];
    for (const matchingCase of MATCHING_CASES) {
      const rows = [];
      for (const size of matchingCase.sizes) {
        const [perCallUs, controlUs] = await alternatingMedians(sessions, {
          method: matchingCase.method,
          paramsJson: JSON.stringify(matchingCase.params(size)),
          expect: matchingCase.expect,
          counts,
          timeoutMs,
          what: `${matchingCase.id} at ${size} characters`,
        });
        rows.push({ size, perCallUs, controlUs, addedUs: perCallUs - controlUs });
      }
      progress(`matching  ${matchingCase.id}  ok`);
      cases.push({ id: matchingCase.id, label: matchingCase.label, input: matchingCase.input, rows });
    }
    return { counts, cases };
  });
}

/**
 * Calls `method` on each session in turn (so drift on a shared machine hits them alike),
 * `counts.warmupCalls + counts.calls` times, and returns each session's median time in µs over
 * the measured calls. Rejects, naming `what`, after `timeoutMs`.
 */
export async function alternatingMedians(sessions, { method, paramsJson, expect, counts, timeoutMs, what }) {
  const samples = sessions.map(() => []);
  const step = async () => {
    for (let i = 0; i < counts.warmupCalls + counts.calls; i++) {
      for (const [k, session] of sessions.entries()) {
        const micros = await timedCall(session, method, paramsJson, expect);
        if (i >= counts.warmupCalls) samples[k].push(micros);
      }
    }
  };
  await within(timeoutMs, what, step(), sessions[0].client);
  return samples.map(median);
}

/**
 * Opens a session with each of `opens` in order, runs `use(sessions)` and closes them; whatever
 * is still running when it fails is killed, and every session's files are removed.
 */
export async function withSessions(opens, use) {
  const sessions = [];
  try {
    for (const open of opens) sessions.push(await open());
    const result = await use(sessions);
    for (const session of sessions) await session.client.close();
    return result;
  } finally {
    for (const session of sessions) {
      session.client.kill();
      session.cleanup();
    }
  }
}

/** Below this, "matching adds" is within the noise of one call, and its growth is not shown. */
const MIN_ADDED_FOR_GROWTH_US = 20;

/**
 * The section as text: per case and size, the median time per call, the control's, their
 * difference, and how each grew from the size before (ten times smaller).
 */
export function formatMatching({ counts, cases }) {
  const micros = (v) => `${Math.round(v).toLocaleString('en-US')} µs`;
  const header = ['case', 'size', 'per call', 'control', 'matching adds', 'growth: per call', 'growth: adds'];
  const rows = [];
  for (const matchingCase of cases) {
    matchingCase.rows.forEach((row, index) => {
      const previous = matchingCase.rows[index - 1];
      const perCallGrowth = previous ? `${(row.perCallUs / previous.perCallUs).toFixed(2)}×` : '';
      const addedGrowth = previous && previous.addedUs >= MIN_ADDED_FOR_GROWTH_US ? `${(row.addedUs / previous.addedUs).toFixed(2)}×` : previous ? '—' : '';
      rows.push([
        index === 0 ? matchingCase.label : index === 1 ? `  input: ${matchingCase.input}` : '',
        row.size.toLocaleString('en-US'),
        micros(row.perCallUs),
        micros(row.controlUs),
        `${row.addedUs >= 0 ? '+' : '−'}${micros(Math.abs(row.addedUs))}`,
        perCallGrowth,
        addedGrowth,
      ]);
    });
  }
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => [...row[col]].length)));
  const line = (row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd();
  return [
    `linear-time matching through mcp-guard: median time of ${counts.calls} sequential calls per size (after ${counts.warmupCalls} unmeasured).`,
    'control: the same calls, with the same answers, under a policy whose glob or pattern fails at the first character.',
    `growth: from the size before (10× smaller); linear is at most 10×. "—": the size before added under ${MIN_ADDED_FOR_GROWTH_US} µs, which is noise.`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('   '),
    ...rows.map(line),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = await sectionMain(process.argv.slice(2), { script: 'bench/matching.mjs', name: 'matching', measure: measureMatching, format: formatMatching });
