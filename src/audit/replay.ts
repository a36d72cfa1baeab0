import type { CompiledPolicy } from '../policy/engine/compile.js';
import { readsArguments, refundSimulation, simulate, SimulatedCounters, type SimulatedMessage } from '../policy/engine/simulate.js';
import { type AuditEntry, subjectOf } from './record.js';

/**
 * `mcp-guard replay` (SPEC §10): every recorded client→server decision judged again under
 * another policy, with limits simulated on the records' own timestamps (session limits per
 * recorded session, grant limits shared by all of them, both in memory and starting empty).
 * Pure: the records are read and the policy compiled by the caller.
 */

/** A record whose decision would change. */
export interface ReplayChange {
  time: string;
  session: string;
  method: string;
  subject: string;
  id?: string | number | null;
  before: { decision: string; rule: string };
  after: { decision: string; rule: string; reason?: string };
  file: string;
  line: number;
}

export interface ReplayReport {
  /** client→server records read. */
  records: number;
  /** Judged again (the rest cannot be). */
  replayed: number;
  unchanged: number;
  changes: ReplayChange[];
  /** Changes counted by before → after, most first. */
  counts: Array<{ before: string; beforeRule: string; after: string; afterRule: string; count: number }>;
  /** Records that cannot be judged again: calls recorded without the arguments the policy reads. */
  cannotReplay: { count: number; calls: Array<{ method: string; subject: string; count: number }> };
  /** server→client records: decided by `methods` alone, not replayed. */
  serverToClient: number;
}

/**
 * What the relay's decision is, for comparison: a call held for a person is `ask` whatever the
 * person answered (approval_* refusals; `approval` under --dry-run), since replay asks nobody.
 */
function beforeOutcome(entry: AuditEntry): string {
  if (entry.decision.startsWith('approval_')) return 'ask';
  if (entry.approval !== undefined && entry.decision === 'allowed') return 'ask';
  return entry.decision;
}

/** Judges the records again under `policy`, in time order. */
export function replayEntries(policy: CompiledPolicy, entries: readonly AuditEntry[]): ReplayReport {
  const ordered = entries.filter((e) => e.direction === 'client→server').sort((a, b) => a.t - b.t);
  const report: ReplayReport = { records: ordered.length, replayed: 0, unchanged: 0, changes: [], counts: [], cannotReplay: { count: 0, calls: [] }, serverToClient: entries.length - ordered.length };
  const counters = new SimulatedCounters();
  const counts = new Map<string, ReplayReport['counts'][number]>();
  const cannot = new Map<string, { method: string; subject: string; count: number }>();
  for (const entry of ordered) {
    const message = messageOf(entry);
    const name = message.params?.name;
    const missing = !Object.hasOwn(entry, 'arguments') && (entry.method === 'tools/call' || entry.method === 'prompts/get');
    // Without arguments, a call is judged again only when the policy would not read them, and
    // the recorded refusal was not about their shape (params.arguments not an object).
    if (missing && (readsArguments(policy, entry.method, name) || (entry.decision === 'invalid_arguments' && (entry.rule === 'tools' || entry.rule === 'prompts')))) {
      report.cannotReplay.count++;
      const subject = subjectOf(entry);
      const key = `${entry.method}\u0000${subject}`;
      const call = cannot.get(key) ?? { method: entry.method, subject, count: 0 };
      call.count++;
      cannot.set(key, call);
      continue;
    }
    report.replayed++;
    const result = simulate(policy, message, counters, entry.t);
    // A call a person declined (or nobody answered) gave back what it had taken.
    if (result.name === 'ask' && result.ticket && entry.decision.startsWith('approval_')) refundSimulation(counters, result.ticket);
    const before = beforeOutcome(entry);
    if (before === result.name) {
      report.unchanged++;
      continue;
    }
    const after = { decision: result.name, rule: result.decision.rule, ...(result.decision.outcome !== 'allow' && result.decision.reason ? { reason: result.decision.reason } : {}) };
    const shownBefore = entry.approval !== undefined && entry.decision === 'allowed' ? 'ask' : entry.decision;
    report.changes.push({
      time: entry.time,
      session: entry.session,
      method: entry.method,
      subject: subjectOf(entry),
      ...(entry.id !== undefined ? { id: entry.id } : {}),
      before: { decision: shownBefore, rule: entry.rule },
      after,
      file: entry.file,
      line: entry.line,
    });
    const key = [shownBefore, entry.rule, after.decision, after.rule].join('\u0000');
    const count = counts.get(key) ?? { before: shownBefore, beforeRule: entry.rule, after: after.decision, afterRule: after.rule, count: 0 };
    count.count++;
    counts.set(key, count);
  }
  report.counts = [...counts.values()].sort((a, b) => b.count - a.count);
  report.cannotReplay.calls = [...cannot.values()].sort((a, b) => b.count - a.count);
  return report;
}

/** The message a record stands for. */
function messageOf(entry: AuditEntry): SimulatedMessage {
  const args = Object.hasOwn(entry, 'arguments') ? { arguments: entry.arguments } : {};
  const session = entry.session;
  switch (entry.method) {
    case 'tools/call':
      return { method: entry.method, params: { name: entry.tool, ...args }, session };
    case 'prompts/get':
      return { method: entry.method, params: { name: entry.prompt, ...args }, session };
    case 'resources/read':
    case 'resources/subscribe':
      return { method: entry.method, params: { uri: entry.uri }, session };
    default:
      return { method: entry.method, session };
  }
}
