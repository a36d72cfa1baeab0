#!/usr/bin/env node
// Large messages (SPEC §4: every message is judged, in time linear in its length): tool results,
// lists and arguments of thousands of entries, sent through the BUILT mcp-guard in a real session
// with the fixture server, and to the fixture server directly, at sizes four times apart. It prints
// per-call times and how they grow; it asserts nothing.
//   node bench/large.mjs [--quick] [--guard <file>] [--json]      (npm run bench runs it too)
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { alternatingMedians, openLaunched, withSessions } from './matching.mjs';
import { sectionMain } from './section-cli.mjs';
import { DEFAULT_GUARD_BIN, launchGuard, TARGETS } from './targets.mjs';

/** Calls per size and session, and the sizes (entries per message): `full` for `npm run bench`, `quick` for the smoke test. */
export const LARGE_COUNTS = {
  full: { warmupCalls: 1, calls: 7, sizes: [2000, 8000, 32000] },
  quick: { warmupCalls: 0, calls: 1, sizes: [20, 80, 320] },
};

const POLICY = 'large.policy.json';

/** Each case: the request for `n` entries, and the answer it must get (the same directly and through mcp-guard). */
export const LARGE_CASES = [
  {
    id: 'result-items',
    label: 'tool result of n text items',
    method: 'tools/call',
    params: (n) => ({ name: 'items', arguments: { n } }),
    expect: (message, n) => message.result?.content?.length === n,
  },
  {
    id: 'result-links',
    label: 'tool result of n resource links',
    method: 'tools/call',
    params: (n) => ({ name: 'items', arguments: { n, links: true } }),
    expect: (message, n) => message.result?.content?.length === n,
  },
  {
    id: 'resources-list',
    label: 'resources/list of n entries',
    method: 'resources/list',
    params: (n) => ({ cursor: `size:${n}` }),
    expect: (message, n) => message.result?.resources?.length === n,
  },
  {
    id: 'arguments',
    label: 'tool call with n objects in its arguments',
    method: 'tools/call',
    params: (n) => ({ name: 'echo', arguments: { text: 'x', items: Array.from({ length: n }, (_, i) => ({ id: i, tags: ['a', 'b'] })) } }),
    expect: (message) => message.result?.content?.[0]?.text === 'x',
  },
  {
    id: 'long-paths',
    label: 'tool call with 16 paths of n/16 parts each',
    method: 'tools/call',
    // Every string argument is read as a path (self-protection); these name nothing that exists.
    params: (n) => ({ name: 'echo', arguments: { text: 'x', paths: Array.from({ length: 16 }, (_, i) => `/tmp/mcp-guard-bench-missing-${i}/${'a/'.repeat(Math.max(1, n / 16 - 1))}f`) } }),
    expect: (message) => message.result?.content?.[0]?.text === 'x',
  },
  {
    id: 'spaces',
    label: 'tool call with a colon then n spaces in a string',
    method: 'tools/call',
    // A string with a colon may be a URI; how URL parsers read one is worked out for every such string.
    params: (n) => ({ name: 'echo', arguments: { text: `note:${' '.repeat(n)}end` } }),
    expect: (message, n) => message.result?.content?.[0]?.text?.length === n + 8,
  },
  {
    id: 'refused-items',
    label: 'tool call refused for n items of neither allowed type',
    method: 'tools/call',
    // Refused by mcp-guard (each item must be a string or an integer); the server echoes it.
    params: (n) => ({ name: 'echo', arguments: { text: 'x', choices: Array.from({ length: n }, () => 1.5) } }),
    expect: (message) => message.result?.content?.[0]?.text === 'x' || /choices\[0\] must be string, or must be integer/.test(message.result?.content?.[0]?.text ?? ''),
  },
];

/**
 * Runs every case at every size through two sessions, calls alternating between them: mcp-guard
 * with the large-messages policy, and the fixture server directly. Returns
 * `{ counts, cases: [{ id, label, rows: [{ size, perCallUs, directUs, addedUs }] }] }`.
 */
export async function measureLarge({ guardBin = DEFAULT_GUARD_BIN, quick = false, timeoutMs = 30_000, cpuProfDir, progress = () => {} } = {}) {
  const counts = quick ? LARGE_COUNTS.quick : LARGE_COUNTS.full;
  const nodeFlags = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`, '--cpu-prof-name=large.cpuprofile'] : [];
  const opens = [() => openLaunched(launchGuard(POLICY, undefined, { guardBin, nodeFlags }), POLICY, timeoutMs), () => openLaunched(TARGETS.direct.launch(), 'direct', timeoutMs)];
  return withSessions(opens, async (sessions) => {
    const cases = [];
    for (const largeCase of LARGE_CASES) {
      const rows = [];
      for (const size of counts.sizes) {
        const [perCallUs, directUs] = await alternatingMedians(sessions, {
          method: largeCase.method,
          paramsJson: JSON.stringify(largeCase.params(size)),
          expect: (message) => largeCase.expect(message, size),
          counts,
          timeoutMs,
          what: `${largeCase.id} at ${size} entries`,
        });
        rows.push({ size, perCallUs, directUs, addedUs: perCallUs - directUs });
      }
      progress(`large  ${largeCase.id}  ok`);
      cases.push({ id: largeCase.id, label: largeCase.label, rows });
    }
    return { counts, cases };
  });
}

/** The section as text: per case and size, the median time per call through mcp-guard and directly, the difference, and how each grew. */
export function formatLarge({ counts, cases }) {
  const ms = (us) => `${(us / 1000).toFixed(1)} ms`;
  const header = ['case', 'entries', 'mcp-guard', 'direct', 'mcp-guard adds', 'growth: mcp-guard', 'growth: adds'];
  const rows = [];
  for (const largeCase of cases) {
    largeCase.rows.forEach((row, index) => {
      const previous = largeCase.rows[index - 1];
      const growth = (now, before) => (previous ? (before > 0 && now > 0 ? `${(now / before).toFixed(2)}×` : '—') : '');
      rows.push([
        index === 0 ? largeCase.label : '',
        row.size.toLocaleString('en-US'),
        ms(row.perCallUs),
        ms(row.directUs),
        `${row.addedUs >= 0 ? '+' : '−'}${ms(Math.abs(row.addedUs))}`,
        growth(row.perCallUs, previous?.perCallUs),
        growth(row.addedUs, previous?.addedUs),
      ]);
    });
  }
  const widths = header.map((_, col) => Math.max(...[header, ...rows].map((row) => [...row[col]].length)));
  const line = (row) => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('   ').trimEnd();
  const [first, second] = counts.sizes;
  return [
    `large messages through mcp-guard (bench/policies/large.policy.json): median time of ${counts.calls} sequential calls per size (after ${counts.warmupCalls} unmeasured), and the same calls to the server directly.`,
    `growth: from the size before (${second / first}× smaller); linear is about ${second / first}×.`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('   '),
    ...rows.map(line),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) process.exitCode = await sectionMain(process.argv.slice(2), { script: 'bench/large.mjs', name: 'large', measure: measureLarge, format: formatLarge });
