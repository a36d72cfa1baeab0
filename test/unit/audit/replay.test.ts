import { beforeAll, describe, expect, it } from 'vitest';
import { replayEntries } from '../../../src/audit/replay.js';
import type { AuditEntry } from '../../../src/audit/record.js';
import { type CompiledPolicy, compilePolicy } from '../../../src/policy/engine/compile.js';
import { hostFileSystem } from '../../../src/policy/host-file-system.js';

let policy: CompiledPolicy;
beforeAll(async () => {
  policy = await compilePolicy(
    {
      version: '1',
      default: 'deny',
      tools: {
        echo: { rate_limit: '1/minute' },
        wipe: { action: 'ask', limits: [{ window: 'minute', max: 1 }] },
        read_file: { args: { type: 'object', required: ['path'] } },
      },
      methods: { 'sampling/createMessage': 'deny' },
    },
    '/p.json',
    { pathEnv: hostFileSystem() },
  );
});

let line = 0;
function entry(fields: Partial<AuditEntry> & Pick<AuditEntry, 'decision' | 'rule'>, at = 0): AuditEntry {
  const time = new Date(Date.UTC(2026, 0, 1) + at * 1000).toISOString();
  return { time, t: Date.parse(time), session: 's', direction: 'client→server', method: 'tools/call', dryRun: false, file: 'log', line: ++line, ...fields };
}

describe('replayEntries', () => {
  it('judges records in time order, on their own timestamps, with session limits per session', () => {
    const report = replayEntries(policy, [
      entry({ tool: 'echo', decision: 'allowed', rule: 'tools.echo' }, 61),
      entry({ tool: 'echo', decision: 'allowed', rule: 'tools.echo' }, 0),
      entry({ tool: 'echo', decision: 'allowed', rule: 'tools.echo', session: 'other' }, 1),
      entry({ tool: 'echo', decision: 'allowed', rule: 'tools.echo' }, 30),
    ]);
    expect(report).toMatchObject({ records: 4, replayed: 4, unchanged: 3 });
    expect(report.changes.map((c) => [c.time, c.after.decision, c.after.rule])).toEqual([['2026-01-01T00:00:30.000Z', 'rate_limited', 'tools.echo.rate_limit']]);
  });

  it('compares a call held for a person as "ask", whatever the person answered, and gives back what a declined one took', () => {
    const report = replayEntries(policy, [
      entry({ tool: 'wipe', decision: 'approval_declined', rule: 'tools.wipe' }, 0),
      entry({ tool: 'wipe', decision: 'allowed', rule: 'tools.wipe', approval: 'would ask (dry run)', dryRun: true }, 1),
      entry({ tool: 'wipe', decision: 'allowed', rule: 'tools.wipe' }, 2),
    ]);
    // The declined call gave its unit back, so the dry-run one fits; the third finds the limit full.
    expect(report.unchanged).toBe(2);
    expect(report.changes.map((c) => [c.before.decision, c.after.decision])).toEqual([['allowed', 'rate_limited']]);
  });

  it('counts calls without the arguments the policy reads as "cannot replay", and judges the others', () => {
    const report = replayEntries(policy, [
      entry({ tool: 'read_file', decision: 'allowed', rule: 'tools.read_file' }),
      entry({ tool: 'read_file', decision: 'allowed', rule: 'tools.read_file', arguments: { path: '/x' } }),
      entry({ tool: 'unknown', decision: 'invalid_arguments', rule: 'tools' }),
      entry({ tool: 'shell', decision: 'allowed', rule: 'default' }),
    ]);
    expect(report.cannotReplay).toEqual({ count: 2, calls: [{ method: 'tools/call', subject: 'read_file', count: 1 }, { method: 'tools/call', subject: 'unknown', count: 1 }] });
    expect(report.changes.map((c) => [c.subject, c.before.decision, c.after.decision, c.after.rule])).toEqual([['shell', 'allowed', 'denied', 'default']]);
  });

  it('leaves server→client records out, and counts them', () => {
    const report = replayEntries(policy, [entry({ method: 'sampling/createMessage', direction: 'server→client', decision: 'allowed', rule: 'lifecycle' })]);
    expect(report).toMatchObject({ records: 0, replayed: 0, serverToClient: 1, changes: [] });
  });
});
