import { describe, expect, it } from 'vitest';
import { parseAuditLine } from '../../../src/audit/record.js';
import { parseSince } from '../../../src/audit/since.js';
import { summariseAudit } from '../../../src/audit/summary.js';

const line = (o: Record<string, unknown>) => JSON.stringify({ session: 's1', direction: 'client→server', method: 'tools/call', dryRun: false, ...o });

describe('parseAuditLine', () => {
  it('reads a record and keeps whether it had arguments', () => {
    expect(parseAuditLine(line({ time: '2026-01-01T00:00:00Z', tool: 'a', decision: 'allowed', rule: 'tools.a', arguments: null }), 'f', 3)).toMatchObject({ t: Date.UTC(2026, 0, 1), tool: 'a', arguments: null, file: 'f', line: 3 });
    expect(parseAuditLine(line({ time: '2026-01-01T00:00:00Z', tool: 'a', decision: 'allowed', rule: 'tools.a' }), 'f', 1)).not.toHaveProperty('arguments');
  });
  it('refuses what is not a record', () => {
    for (const text of ['{"time":', '[]', 'null', line({ time: 'soon', decision: 'allowed', rule: 'r' }), line({ time: '2026-01-01T00:00:00Z', rule: 'r' }), line({ time: '2026-01-01T00:00:00Z', decision: 'allowed', rule: 'r', direction: 'sideways' })]) {
      expect(parseAuditLine(text, 'f', 1), text).toBeUndefined();
    }
  });
});

describe('summariseAudit', () => {
  it('counts by subject × decision, refusing rules and sessions', () => {
    const entries = [
      line({ time: '2026-01-01T00:00:02Z', tool: 'a', decision: 'denied', rule: 'tools.a' }),
      line({ time: '2026-01-01T00:00:01Z', tool: 'a', decision: 'allowed', rule: 'tools.a' }),
      line({ time: '2026-01-01T00:00:03Z', uri: 'file:///x', method: 'resources/read', decision: 'denied', rule: 'default', session: 's2' }),
      line({ time: '2026-01-01T00:00:04Z', method: 'logging/setLevel', decision: 'denied', rule: 'methods.logging/setLevel', session: 's2', dryRun: true }),
    ].map((t, i) => parseAuditLine(t, 'f', i + 1)!);
    const summary = summariseAudit(entries, 2, 2);
    expect(summary).toMatchObject({ records: 4, unreadable: 2, from: '2026-01-01T00:00:01Z', to: '2026-01-01T00:00:04Z', decisions: { allowed: 1, denied: 3 }, dryRun: 1 });
    expect(summary.calls[0]).toEqual({ method: 'tools/call', subject: 'a', total: 2, decisions: { denied: 1, allowed: 1 } });
    expect(summary.calls.map((c) => c.subject)).toEqual(['a', 'file:///x', 'logging/setLevel']);
    expect(summary.refusingRules).toHaveLength(2);
    expect(summary.sessions).toEqual([
      { session: 's1', records: 2, refused: 1, from: '2026-01-01T00:00:01Z', to: '2026-01-01T00:00:02Z' },
      { session: 's2', records: 2, refused: 2, from: '2026-01-01T00:00:03Z', to: '2026-01-01T00:00:04Z' },
    ]);
  });
});

describe('parseSince', () => {
  const now = Date.UTC(2026, 5, 1, 12);
  it('takes durations back from now, and times', () => {
    expect(parseSince('15m', now)).toBe(now - 15 * 60_000);
    expect(parseSince('2d', now)).toBe(now - 2 * 86_400_000);
    expect(parseSince('90', now)).toBe(now - 90_000);
    expect(parseSince('1h30m', now)).toBe(now - 90 * 60_000);
    expect(parseSince('2026-06-01', now)).toBe(Date.UTC(2026, 5, 1));
    expect(parseSince('2026-06-01T08:00:00Z', now)).toBe(Date.UTC(2026, 5, 1, 8));
  });
  it('refuses anything else', () => {
    for (const v of ['yesterday', '', '-5m', '2026-13-45', '1000d']) expect(parseSince(v, now), v).toBeUndefined();
  });
});
