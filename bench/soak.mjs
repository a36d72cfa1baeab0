#!/usr/bin/env node
// npm run soak: one mcp-guard session carries 1,000,000 small calls and 1,000 large results
// (alternately 1 MiB, streamed, and 200 KiB, parsed whole), with a realistic policy — argument
// schemas, a rule, session and grant (SQLite) limits, an audit log — plus refused calls and
// cancelled requests mixed in, 256 calls in flight.
//
// Measured in the guard process: peak RSS (VmHWM) and the live heap after a full GC (a probe
// loaded with --expose-gc answers SIGUSR2), after the first 10,000 calls, half-way and at the end,
// each with no call in flight. A leak grows memory with every call; warming up does not. So the
// verdict is on the second half of the run (500,000 calls):
//   - live heap at the end within 10% (+1 MiB) of half-way: nothing retained per call in the
//     pending-request table, the counters or the audit writer;
//   - peak RSS at the end within 10% of half-way: RSS has levelled off.
// The issue's rule (peak RSS at the end within 10% of the peak after 10,000 calls) is reported
// too, but it cannot tell warming up from a leak: over the first ~100,000 calls V8 grows its heap
// to the allocation rate (committed heap 17 -> 55 MiB, RSS 79 -> 149 MiB) and fills its code and
// feedback caches (live heap 7.7 -> 11 MiB), then both stay flat. Exit 0 on pass, 1 on fail, 2 on
// a broken run.
//
//   node bench/soak.mjs [--calls 1000000] [--large 1000] [--baseline-at 10000] [--in-flight 256] [--json out.json]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { LineSplitter } from './line-splitter.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000000' },
    large: { type: 'string', default: '1000' },
    'baseline-at': { type: 'string', default: '10000' },
    'in-flight': { type: 'string', default: '256' },
    tolerance: { type: 'string', default: '0.10' },
    json: { type: 'string' },
  },
});
const SMALL = Number(opts.calls);
const LARGE = Number(opts.large);
const TOTAL = SMALL + LARGE;
const BASELINE_AT = Number(opts['baseline-at']);
const HALF_WAY = Math.max(BASELINE_AT, Math.floor(TOTAL / 2));
const IN_FLIGHT = Number(opts['in-flight']);
const TOLERANCE = Number(opts.tolerance);
const LARGE_EVERY = LARGE > 0 ? Math.floor(TOTAL / LARGE) : Infinity;
const REFUSED_EVERY = 97;
const CANCELLED_EVERY = 499;

// Short windows: a sliding window keeps each event until it leaves the window, so a soak with
// hour-long windows would measure the windows (by design), not a leak.
const policy = {
  version: '1',
  default: 'deny',
  all_tools: { limits: [{ counter: 'all_calls', window: 'second', max: 1_000_000_000 }] },
  tools: {
    echo: {
      args: { type: 'object', properties: { text: { type: 'string', maxLength: 100_000 } }, required: ['text'], additionalProperties: false },
      limits: [{ counter: 'echo_grant', window: 'second', max: 1_000_000_000, scope: 'grant' }],
      rules: [{ when: { properties: { text: { pattern: '^(sudo|rm) ' } }, required: ['text'] }, action: 'deny', reason: 'no shell commands' }],
    },
    blob: { args: { type: 'object', properties: { size: { type: 'integer', minimum: 0 } }, required: ['size'] }, rate_limit: '1000000000/second' },
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
  },
};

const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-soak-'));
const policyFile = join(dir, 'soak.policy.json');
const auditFile = join(dir, 'audit.jsonl');
const heapFile = join(dir, 'heap.jsonl');
writeFileSync(policyFile, JSON.stringify(policy));
const guard = spawn(
  process.execPath,
  [
    '--expose-gc',
    `--import=${join(ROOT, 'test/soak/heap-probe.mjs')}`,
    join(ROOT, 'bin/mcp-guard.js'),
    '--quiet',
    '--policy',
    policyFile,
    '--state-dir',
    join(dir, 'state'),
    '--audit-log',
    auditFile,
    '--',
    process.execPath,
    join(ROOT, 'bench/fixture-server.mjs'),
  ],
  { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SOAK_HEAP_FILE: heapFile } },
);
let stderrTail = '';
guard.stderr.setEncoding('utf8');
guard.stderr.on('data', (t) => (stderrTail = (stderrTail + t).slice(-4000)));
guard.stdin.on('error', () => undefined);

function vm() {
  try {
    const status = readFileSync(`/proc/${guard.pid}/status`, 'latin1');
    const kib = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
  } catch {
    return { rssMiB: NaN, peakMiB: NaN };
  }
}

/** Peak RSS and, after a full GC in the guard, its live heap. Called with no call in flight. */
async function checkpoint(label) {
  const before = existsSync(heapFile) ? readFileSync(heapFile, 'utf8').split('\n').filter(Boolean).length : 0;
  guard.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  let lines = [];
  while (Date.now() < deadline) {
    lines = existsSync(heapFile) ? readFileSync(heapFile, 'utf8').split('\n').filter(Boolean) : [];
    if (lines.length > before) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const heap = lines.length > before ? JSON.parse(lines.at(-1)) : undefined;
  return { label, calls: answered, ...vm(), liveHeapMiB: heap ? heap.heapUsed / 1048576 : NaN, heapTotalMiB: heap ? heap.heapTotal / 1048576 : NaN };
}

const started = performance.now();
let sent = 0;
let answered = 0;
let refused = 0;
let cancelled = 0;
let largeBytes = 0;
let failure;
const waiting = new Set();
const samples = [];
const checkpoints = [];
/** Calls are not sent past this count until a checkpoint has been taken. */
let sendUpTo = BASELINE_AT;

function requestLine(n) {
  if (n % LARGE_EVERY === 0) {
    const size = (n / LARGE_EVERY) % 2 === 0 ? 1024 * 1024 : 200 * 1024;
    return `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"blob","arguments":{"size":${size}}}}\n`;
  }
  if (n % REFUSED_EVERY === 0) return `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"shell_exec","arguments":{"cmd":"id"}}}\n`;
  return `{"jsonrpc":"2.0","id":${n},"method":"tools/call","params":{"name":"echo","arguments":{"text":"call ${n}"}}}\n`;
}

function refill() {
  let text = '';
  while (sent < Math.min(TOTAL, sendUpTo) && waiting.size < IN_FLIGHT) {
    const id = ++sent;
    text += requestLine(id);
    if (id % CANCELLED_EVERY === 0) {
      // Cancelled at once: the guard forgets it and drops the server's late answer.
      text += `{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":${id},"reason":"soak"}}\n`;
      cancelled++;
      answered++;
    } else waiting.add(id);
  }
  if (text) guard.stdin.write(text);
}

let drained;
const splitter = new LineSplitter((line) => {
  if (line.length > 100_000) largeBytes += line.length;
  let message;
  try {
    message = JSON.parse(line.toString('utf8'));
  } catch {
    failure ??= `the guard wrote a line that is not JSON: ${line.subarray(0, 100)}`;
    return;
  }
  if (!waiting.delete(message.id)) return;
  answered++;
  if (message.error) failure ??= `call ${message.id} failed: ${JSON.stringify(message.error)}`;
  else if (message.result?.isError) {
    if (message.result._meta?.['mcp-guard']?.decision === 'denied') refused++;
    else failure ??= `call ${message.id} failed: ${JSON.stringify(message.result).slice(0, 300)}`;
  }
});
guard.stdout.on('data', (chunk) => {
  splitter.push(chunk);
  if (waiting.size === 0 && sent >= Math.min(TOTAL, sendUpTo)) drained?.();
  else refill();
});
guard.on('exit', (code, signal) => {
  if (answered < TOTAL) failure ??= `the guard exited early (${signal ?? code}): ${stderrTail}`;
  drained?.();
});

const sampler = setInterval(() => {
  samples.push({ seconds: Math.round((performance.now() - started) / 100) / 10, calls: answered, ...vm() });
  if (process.stderr.isTTY) process.stderr.write(`\r${answered} / ${TOTAL} calls, RSS ${Math.round(samples.at(-1).rssMiB)} MiB   `);
}, 250);

// Run to each checkpoint with every call answered, measure, go on.
for (const [label, upTo] of [
  ['after the first calls', BASELINE_AT],
  ['half-way', HALF_WAY],
  ['at the end', TOTAL],
]) {
  sendUpTo = upTo;
  await new Promise((r) => {
    drained = r;
    refill();
    if (waiting.size === 0 && sent >= Math.min(TOTAL, sendUpTo)) r();
  });
  drained = undefined;
  if (failure) break;
  checkpoints.push(await checkpoint(label));
}
clearInterval(sampler);
const seconds = (performance.now() - started) / 1000;
guard.stdin.end();
const exit = await new Promise((r) => (guard.exitCode !== null ? r(guard.exitCode) : guard.on('exit', (code) => r(code))));
const auditLines = existsSync(auditFile) ? readFileSync(auditFile, 'latin1').split('\n').length - 1 : 0;
const auditMiB = existsSync(auditFile) ? statSync(auditFile).size / 1048576 : 0;
rmSync(dir, { recursive: true, force: true });
if (process.stderr.isTTY) process.stderr.write('\n');

const [base, half, end] = checkpoints;
const complete = !failure && end !== undefined;
const noLeak = complete && end.liveHeapMiB <= half.liveHeapMiB * (1 + TOLERANCE) + 1;
const levelled = complete && end.peakMiB <= half.peakMiB * (1 + TOLERANCE);
const literal = complete && end.peakMiB <= base.peakMiB * (1 + TOLERANCE);
const pass = noLeak && levelled && exit === 0;
const round = (x) => Math.round(x * 10) / 10;
const report = {
  pass,
  rules: { liveHeapLevelledOff: noLeak, peakRssLevelledOff: levelled, peakRssWithin10PercentOfFirst10k: literal },
  calls: { small: SMALL, large: LARGE, answered, refused, cancelled, largeMiB: round(largeBytes / 1048576) },
  seconds: round(seconds),
  callsPerSecond: Math.round(answered / seconds),
  checkpoints: checkpoints.map((c) => ({ ...c, rssMiB: round(c.rssMiB), peakMiB: round(c.peakMiB), liveHeapMiB: round(c.liveHeapMiB), heapTotalMiB: round(c.heapTotalMiB) })),
  audit: { lines: auditLines, MiB: round(auditMiB) },
  guardExit: exit,
  failure,
  samples: samples.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 40)) === 0).map((s) => ({ ...s, rssMiB: round(s.rssMiB), peakMiB: round(s.peakMiB) })),
};
if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
const describe = (c) => (c ? `peak RSS ${round(c.peakMiB)} MiB, live heap ${round(c.liveHeapMiB)} MiB (${c.calls} calls)` : 'not reached');
console.log(
  [
    `soak: ${answered} calls (${LARGE} large, ${report.calls.largeMiB} MiB of large results, ${refused} refused, ${cancelled} cancelled) in ${report.seconds} s, ${report.callsPerSecond} calls/s; audit ${auditLines} lines`,
    `  after the first calls: ${describe(base)}`,
    `  half-way:              ${describe(half)}`,
    `  at the end:            ${describe(end)}`,
    `  second half: live heap within ${TOLERANCE * 100}% (+1 MiB): ${noLeak ? 'yes' : 'NO'}; peak RSS within ${TOLERANCE * 100}%: ${levelled ? 'yes' : 'NO'}`,
    `  (peak RSS at the end within ${TOLERANCE * 100}% of the peak after the first ${BASELINE_AT} calls: ${literal ? 'yes' : 'no'}; see the header of bench/soak.mjs)`,
    `soak: ${pass ? 'PASS' : `FAIL${failure ? `: ${failure}` : ''}`}`,
  ].join('\n'),
);
process.exitCode = !complete ? 2 : pass ? 0 : 1;
