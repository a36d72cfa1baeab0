// The benchmark runs end to end with tiny counts and prints every row. No timing is asserted:
// the machines that run tests are shared and noisy; `npm run bench` is for figures.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUN = join(ROOT, 'bench', 'run.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-smoke-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function bench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { cwd: ROOT, timeout: 90_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const ROWS = [
  'startup to initialize answer (ms)',
  'round trip p50 (µs)',
  'round trip p99 (µs)',
  'p50 added over direct (µs)',
  'pipelined calls/s (64 in flight)',
  '4 MiB results (MiB/s)',
  'peak RSS (MiB; ratio to raw relay)',
];
const COLUMNS = ['direct', 'raw relay', 'naive SDK proxy', 'mcp-guard allow-all', 'mcp-guard realistic'];
const GOALS = ['pipelined calls/s', '4 MiB results MiB/s', 'p50 added latency', 'startup to first answer', 'peak RSS (to raw relay)'];

describe('npm run bench (smoke)', () => {
  it('runs every target with --quick, prints every row and writes the JSON', async () => {
    const out = join(tmp, 'quick.json');
    const { code, stdout, stderr } = await bench(['--quick', '--out', out]);
    expect(stderr + stdout).not.toMatch(/FAILED|failed:/);
    expect(code).toBe(0);

    const lines = stdout.split('\n');
    expect(stdout).toMatch(/^machine: .+, \d+ cores, .+ GiB, Node v\d+/m);
    const header = lines.find((line) => line.startsWith('measure (median)'));
    for (const column of COLUMNS) expect(header).toContain(column);
    for (const row of ROWS) {
      const line = lines.find((candidate) => candidate.startsWith(row));
      expect(line, row).toBeDefined();
      // Every guard column has a figure (the direct column has none for added latency and RSS).
      const cells = line!.slice(row.length).trim().split(/ {3,}/);
      expect(cells, row).toHaveLength(COLUMNS.length);
      expect(cells.slice(1).every((cell) => /\d/.test(cell)), `${row}: ${line}`).toBe(true);
    }
    for (const goal of GOALS) {
      for (const policy of ['allow-all', 'realistic policy']) expect(stdout).toMatch(new RegExp(`^${escapeRegExp(`${goal}, ${policy}`)} .*(met|MISSED by)`, 'm'));
    }

    const report = JSON.parse(readFileSync(out, 'utf8'));
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(Object.keys(report.summary)).toEqual(['direct', 'relay', 'naive', 'guard-allow', 'guard-realistic']);
    for (const entry of Object.values(report.summary) as Array<{ rounds: number; failures: number }>) {
      expect(entry).toMatchObject({ rounds: 1, failures: 0 });
    }
    expect(report.checks).toHaveLength(GOALS.length * 2);
  }, 90_000);

  it('refuses an unknown target with exit 2 and one line', async () => {
    const { code, stdout, stderr } = await bench(['--quick', '--targets', 'direct,nonsense']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('"nonsense"');
  });

  it('reports a target that fails instead of hanging, and exits 1', async () => {
    // A one-phase timeout far below a real answer's time: the run must fail with the phase named.
    const { code, stdout } = await bench(['--quick', '--targets', 'direct', '--timeout', '1']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/direct round 1: startup: no answer within 1 ms/);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
