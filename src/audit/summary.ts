import { type AuditEntry, subjectOf } from './record.js';

/** What `mcp-guard audit` reports about a log (SPEC §10). */
export interface AuditSummary {
  /** Records counted (after `--since`). */
  records: number;
  /** Lines that are not audit records. */
  unreadable: number;
  /** Time of the first and last record counted. */
  from?: string;
  to?: string;
  /** Records by decision. */
  decisions: Record<string, number>;
  /** Records under --dry-run (relayed whatever their decision). */
  dryRun: number;
  /** Calls by what they were about (tool, URI, prompt or method) × decision, most first. */
  calls: Array<{ method: string; subject: string; total: number; decisions: Record<string, number> }>;
  /** The rules that refused most, most first. */
  refusingRules: Array<{ rule: string; count: number; decisions: Record<string, number> }>;
  /** Each session, in order of its first record. */
  sessions: Array<{ session: string; records: number; refused: number; from: string; to: string }>;
}

/** Summarises audit records. Pure. */
export function summariseAudit(entries: readonly AuditEntry[], unreadable = 0, topRules = 10): AuditSummary {
  const decisions: Record<string, number> = {};
  const calls = new Map<string, AuditSummary['calls'][number]>();
  const rules = new Map<string, AuditSummary['refusingRules'][number]>();
  const sessions = new Map<string, AuditSummary['sessions'][number] & { first: number; last: number }>();
  let from: AuditEntry | undefined;
  let to: AuditEntry | undefined;
  let dryRun = 0;
  for (const e of entries) {
    decisions[e.decision] = (decisions[e.decision] ?? 0) + 1;
    if (e.dryRun) dryRun++;
    if (!from || e.t < from.t) from = e;
    if (!to || e.t >= to.t) to = e;
    const subject = subjectOf(e);
    const key = `${e.method}\u0000${subject}`;
    let call = calls.get(key);
    if (!call) calls.set(key, (call = { method: e.method, subject, total: 0, decisions: {} }));
    call.total++;
    call.decisions[e.decision] = (call.decisions[e.decision] ?? 0) + 1;
    const refused = e.decision !== 'allowed';
    if (refused) {
      let rule = rules.get(e.rule);
      if (!rule) rules.set(e.rule, (rule = { rule: e.rule, count: 0, decisions: {} }));
      rule.count++;
      rule.decisions[e.decision] = (rule.decisions[e.decision] ?? 0) + 1;
    }
    let session = sessions.get(e.session);
    if (!session) sessions.set(e.session, (session = { session: e.session, records: 0, refused: 0, from: e.time, to: e.time, first: e.t, last: e.t }));
    session.records++;
    if (refused) session.refused++;
    if (e.t < session.first) [session.first, session.from] = [e.t, e.time];
    if (e.t >= session.last) [session.last, session.to] = [e.t, e.time];
  }
  const byCount = <T extends { subject?: string; rule?: string }>(count: (x: T) => number) => (a: T, b: T) =>
    count(b) - count(a) || String(a.subject ?? a.rule).localeCompare(String(b.subject ?? b.rule));
  return {
    records: entries.length,
    unreadable,
    ...(from && to ? { from: from.time, to: to.time } : {}),
    decisions,
    dryRun,
    calls: [...calls.values()].sort(byCount((c) => c.total)),
    refusingRules: [...rules.values()].sort(byCount((r) => r.count)).slice(0, topRules),
    sessions: [...sessions.values()].sort((a, b) => a.first - b.first).map(({ first: _f, last: _l, ...s }) => s),
  };
}
