// The benchmark runs end to end with tiny counts and prints every row. No timing is asserted:
// the machines that run tests are shared and noisy; `npm run bench` is for figures.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { redisServerPath } from '../support/redis-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN = join(ROOT, 'bench', 'run.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bench(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { cwd: ROOT, env, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

// Each measure's row, and how many of its cells (from the left: direct, then raw relay) have no figure.
const ROWS: Array<[string, number]> = [
  ['startup to initialize answer (ms)', 0],
  ['round trip p50 (µs)', 0],
  ['round trip p99 (µs)', 0],
  ['p50 added over direct (µs)', 1],
  ['p50 added over raw relay (µs)', 2],
  ['pipelined calls/s (64 in flight)', 0],
  ['4 MiB results (MiB/s)', 0],
  ['peak RSS (MiB; ratio to raw relay)', 1],
];
/** Under startup, pipelined calls/s and 4 MiB results: the ratio to the raw relay, which targets are judged on. */
const RELAY_ROW = '  ratio to raw relay';
const COLUMNS = ['direct', 'raw relay', 'naive SDK proxy', 'mcp-guard allow-all', 'mcp-guard realistic', 'mcp-guard realistic Redis'];
const GOALS = [
  'allow-all pipelined calls/s, to raw relay',
  'allow-all 4 MiB results, to raw relay',
  'allow-all p50, over raw relay',
  'allow-all start-up, to raw relay',
  'allow-all peak RSS, to raw relay',
  'realistic pipelined calls/s, to direct',
  'realistic Redis pipelined calls/s, to realistic SQLite',
];
const MATCHING_CASES = ['name-glob', 'uri-glob', 'args-lazy', 'args-nested'];

function cellsOf(line: string, label: string): string[] {
  return line.slice(label.length).trim().split(/ {3,}/);
}

describe('npm run bench (smoke)', () => {
  it('runs every target and both sections with --quick, prints every row and target, and writes the JSON', async () => {
    // The Redis target needs a real redis-server; without one this test fails here, saying so.
    redisServerPath();
    const out = join(tmp, 'quick.json');
    const { code, stdout, stderr } = await bench(['--quick', '--out', out]);
    expect(stderr + stdout).not.toMatch(/FAILED|failed:|skipped/);
    expect(code).toBe(0);

    const lines = stdout.split('\n');
    expect(stdout).toMatch(/^machine: .+, \d+ cores, .+ GiB, Node v\d+/m);
    const header = lines.find((line) => line.startsWith('measure (median)'));
    for (const column of COLUMNS) expect(header).toContain(column);
    for (const [row, empty] of ROWS) {
      const line = lines.find((candidate) => candidate.startsWith(row));
      expect(line, row).toBeDefined();
      const cells = cellsOf(line!, row);
      expect(cells, row).toHaveLength(COLUMNS.length);
      expect(cells.slice(0, empty).every((cell) => cell === '—'), `${row}: ${line}`).toBe(true);
      expect(cells.slice(empty).every((cell) => /\d/.test(cell)), `${row}: ${line}`).toBe(true);
    }
    const relayRows = lines.filter((line) => line.startsWith(RELAY_ROW));
    expect(relayRows).toHaveLength(3);
    for (const line of relayRows) {
      const cells = cellsOf(line, RELAY_ROW);
      expect(cells.slice(0, 2), line).toEqual(['—', '—']);
      expect(cells.slice(2).every((cell) => /^\d+\.\d+×$/.test(cell)), line).toBe(true);
    }
    for (const goal of GOALS) expect(stdout).toMatch(new RegExp(`^${escapeRegExp(goal)} .*(met|MISSED by)`, 'm'));

    // The matching section: every case at three sizes, each with a time per call.
    expect(stdout).toMatch(/^linear-time matching through mcp-guard/m);
    for (const label of ['tool name vs hide "*_*_*_*_*_x"', 'resources/read URI vs', 'argument vs pattern "^(.*?,){11}P"', 'argument vs pattern "^(a+)+$"']) {
      expect(lines.some((line) => line.startsWith(label)), label).toBe(true);
    }
    expect(stdout).toMatch(/^ +100,000 +[\d,]+ µs/m);

    // The large-messages section: every case at three sizes, through mcp-guard and directly.
    expect(stdout).toMatch(/^large messages through mcp-guard/m);
    for (const label of ['tool result of n text items', 'tool result of n resource links', 'resources/list of n entries', 'tool call with n objects in its arguments', 'tool call with 16 paths of n/16 parts each', 'tool call with a colon then n spaces in a string', 'tool call refused for n items of neither allowed type']) {
      expect(lines.some((line) => line.startsWith(label)), label).toBe(true);
    }
    expect(stdout).toMatch(/^ +320 +[\d.]+ ms +[\d.]+ ms/m);

    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(Object.keys(report.summary)).toEqual(['direct', 'relay', 'naive', 'guard-allow', 'guard-realistic', 'guard-realistic-redis']);
    for (const entry of Object.values(report.summary) as Array<{ rounds: number; failures: number }>) {
      expect(entry).toMatchObject({ rounds: 1, failures: 0 });
    }
    expect(report.checks.map((check: { goal: string }) => check.goal)).toEqual(GOALS);
    for (const check of report.checks as Array<{ measured: number; met: boolean; rounds: { min: number; max: number; meeting: number; of: number } }>) {
      expect(Number.isFinite(check.measured)).toBe(true);
      expect(typeof check.met).toBe('boolean');
      // One round: the round-by-round comparison is the medians' own.
      expect(check.rounds).toEqual({ min: check.measured, max: check.measured, meeting: check.met ? 1 : 0, of: 1 });
    }
    expect(report.matching.cases.map((c: { id: string }) => c.id)).toEqual(MATCHING_CASES);
    for (const matchingCase of report.matching.cases as Array<{ rows: Array<{ size: number; perCallUs: number; controlUs: number }> }>) {
      expect(matchingCase.rows).toHaveLength(3);
      for (const row of matchingCase.rows) expect(row.perCallUs > 0 && row.controlUs > 0).toBe(true);
    }
    expect(report.large.cases.map((c: { id: string }) => c.id)).toEqual(['result-items', 'result-links', 'resources-list', 'arguments', 'long-paths', 'spaces', 'refused-items']);
    for (const largeCase of report.large.cases as Array<{ rows: Array<{ size: number; perCallUs: number; directUs: number }> }>) {
      expect(largeCase.rows.map((row) => row.size)).toEqual([20, 80, 320]);
      for (const row of largeCase.rows) expect(row.perCallUs > 0 && row.directUs > 0).toBe(true);
    }
  }, 90_000);

  it('skips the Redis target with one clear line when redis-server is not installed, and exits 0', async () => {
    // A PATH with only a shell on it: the benchmark looks redis-server up with `command -v`.
    const bin = join(tmp, 'bin-without-redis');
    mkdirSync(bin);
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const { code, stdout, stderr } = await bench(['--quick', '--targets', 'guard-realistic-redis', '--out', join(tmp, 'no-redis.json')], { ...process.env, PATH: bin });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^guard-realistic-redis skipped: redis-server is not installed/m);
    expect(stdout).not.toMatch(/Redis pipelined/);
  });

  it('runs the number of pipelined calls --pipelined asks for, and refuses one that is not a positive integer', async () => {
    const out = join(tmp, 'pipelined.json');
    const { code, stdout } = await bench(['--quick', '--targets', 'direct', '--pipelined', '321', '--out', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('321 pipelined (64 in flight)');
    const report = JSON.parse(readFileSync(out, 'utf8')) as { options: { counts: { pipelinedCalls: number } } };
    expect(report.options.counts.pipelinedCalls).toBe(321);
    const bad = await bench(['--quick', '--targets', 'direct', '--pipelined', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--pipelined');
  });

  it('refuses an unknown target with exit 2 and one line', async () => {
    const { code, stdout, stderr } = await bench(['--quick', '--targets', 'direct,nonsense']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('"nonsense"');
  });

  it('reports a target that fails instead of hanging, and exits 1', async () => {
    // A one-phase timeout far below a real answer's time: the run must fail with the phase named.
    const { code, stdout } = await bench(['--quick', '--targets', 'direct', '--timeout', '1', '--out', join(tmp, 'timeout.json')]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/direct round 1: startup: no answer within 1 ms/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
