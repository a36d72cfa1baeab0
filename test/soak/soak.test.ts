/**
 * The soak in miniature (npm run soak runs 1,000,000 calls): 20,000 calls and 20 large results
 * through one session; the guard's live heap after a full GC must not grow between the first
 * 10,000 calls and the end, with nothing in flight at either point. Something kept per call in
 * the pending-request table, the counters or the audit writer would show as at least ~1 MiB.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

describe('soak (short)', () => {
  it('20,000 calls and 20 large results: every call answered, no growth of the live heap, clean exit', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'mcp-guard-soak-test-')), 'soak.json');
    const run = spawnSync(process.execPath, [join(ROOT, 'bench/soak.mjs'), '--calls', '20000', '--large', '20', '--json', out], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).not.toBe(2);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      failure?: string;
      guardExit: number;
      calls: { answered: number; refused: number; cancelled: number; largeMiB: number };
      rules: { liveHeapLevelledOff: boolean };
      audit: { lines: number };
    };
    expect(report.failure).toBeUndefined();
    expect(report.calls.answered).toBe(20_020);
    expect(report.calls.refused).toBeGreaterThan(100);
    expect(report.calls.cancelled).toBe(40);
    expect(report.calls.largeMiB).toBeGreaterThan(10);
    expect(report.audit.lines).toBe(20_020);
    expect(report.rules.liveHeapLevelledOff).toBe(true);
    expect(report.guardExit).toBe(0);
  }, 60_000);
});
