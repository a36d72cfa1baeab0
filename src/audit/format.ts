import { Chalk, type ChalkInstance } from 'chalk';
import { displayPath } from '../lint/formatters/display-path.js';
import { escapeText } from '../terminal/escape.js';
import { type AuditEntry, subjectOf } from './record.js';
import type { ReplayRun } from './run-replay.js';
import type { AuditSummary } from './summary.js';

/** Text from the log is the agent's and the server's: escaped before it reaches a terminal. */
const safe = escapeText;

/** The colour of a decision: allowed green, rate limits and approvals yellow, other refusals red. */
export function decisionColour(c: ChalkInstance, decision: string): ChalkInstance {
  if (decision === 'allowed') return c.green;
  if (decision === 'rate_limited' || decision.startsWith('approval_')) return c.yellow;
  return c.red;
}

function paintDecision(c: ChalkInstance, decision: string): string {
  return decisionColour(c, decision)(safe(decision));
}

/** `mcp-guard audit`'s report: the span, a tool × decision table, the rules that refused most, the sessions. */
export function formatAuditSummary(summary: AuditSummary, options: { logs: string[]; since?: string; colorLevel: 0 | 1 | 2 | 3 }): string {
  const c = new Chalk({ level: options.colorLevel });
  const lines: string[] = [];
  const span = summary.from && summary.to ? `, ${summary.from} → ${summary.to} (${duration(Date.parse(summary.to) - Date.parse(summary.from))})` : '';
  const since = options.since ? ` since ${options.since}` : '';
  lines.push(
    c.bold(`${options.logs.join(', ')}: ${plural(summary.records, 'decision')}${since}${span}, ${plural(summary.sessions.length, 'session')}`) +
      (summary.dryRun > 0 ? c.dim(` (${summary.dryRun} under --dry-run)`) : ''),
  );
  if (summary.unreadable > 0) lines.push(c.yellow(`${plural(summary.unreadable, 'line')} that are not audit records were left out`));
  if (summary.records === 0) return `${lines.join('\n')}\n`;

  const decisions = Object.keys(summary.decisions).sort((a, b) => (a === 'allowed' ? -1 : b === 'allowed' ? 1 : a.localeCompare(b)));
  const rows = summary.calls.map((call) => [call.method === 'tools/call' ? call.subject : call.subject === call.method ? call.method : `${call.method} ${call.subject}`, ...decisions.map((d) => String(call.decisions[d] ?? '')), String(call.total)]);
  const header = ['calls', ...decisions.map(safe), 'total'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => safe(r[i]!).length)));
  const cell = (text: string, i: number) => (i === 0 ? text.padEnd(widths[0]!) : text.padStart(widths[i]!));
  lines.push('', c.bold(header.map((h, i) => cell(h, i)).join('  ')));
  for (const row of rows) {
    lines.push(
      row
        .map((text, i) => {
          const padded = cell(safe(text), i);
          return i > 0 && i <= decisions.length && text !== '' ? decisionColour(c, decisions[i - 1]!)(padded) : padded;
        })
        .join('  '),
    );
  }

  if (summary.refusingRules.length > 0) {
    lines.push('', c.bold('rules that refused most'));
    const width = Math.max(...summary.refusingRules.map((r) => String(r.count).length));
    for (const r of summary.refusingRules) {
      const how = Object.entries(r.decisions)
        .map(([d, n]) => `${paintDecision(c, d)}${n === r.count ? '' : ` ${n}`}`)
        .join(', ');
      lines.push(`  ${String(r.count).padStart(width)}  ${safe(r.rule)}  ${how}`);
    }
  }

  lines.push('', c.bold('sessions'));
  for (const s of summary.sessions) {
    const refused = s.refused > 0 ? c.red(`, ${s.refused} refused`) : '';
    lines.push(`  ${safe(s.session)}  ${s.from} → ${s.to}  ${plural(s.records, 'decision')}${refused}`);
  }
  return `${lines.join('\n')}\n`;
}

/** One record as `--follow` prints it: time, session, what, decision, rule, reason. */
export function formatFollowLine(entry: AuditEntry, c: ChalkInstance, file?: string): string {
  const subject = subjectOf(entry);
  const what = subject === entry.method ? entry.method : `${entry.method} ${subject}`;
  const parts = [
    ...(file ? [c.dim(safe(file))] : []),
    c.dim(entry.time),
    c.dim(safe(entry.session)),
    entry.direction === 'server→client' ? `${safe(what)} ${c.dim('(server→client)')}` : safe(what),
    paintDecision(c, entry.decision) + (entry.approval ? c.yellow(' (asked)') : '') + (entry.dryRun ? c.dim(' (dry run)') : ''),
    c.dim(safe(entry.rule)),
  ];
  if (entry.reason !== undefined && entry.decision !== 'allowed') parts.push(safe(entry.reason));
  return parts.join('  ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A span in words: `42 s`, `5 min`, `3 h 5 min`, `2 d 3 h`. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `${d} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/**
 * `mcp-guard replay`'s report: each record whose decision would change (before → after, with
 * the rules), the changes counted, and what could not be replayed.
 */
export function formatReplay(run: ReplayRun, options: { cwd: string; colorLevel: 0 | 1 | 2 | 3 }): string {
  const c = new Chalk({ level: options.colorLevel });
  const { report } = run;
  const shown = (file: string) => displayPath(file, options.cwd);
  const lines = [c.bold(`${report.replayed} of ${plural(report.records, 'client→server decision')} in ${run.logs.map(shown).join(', ')} judged again under ${shown(run.policy)}`)];
  const side = (d: { decision: string; rule: string }) => `${paintDecision(c, d.decision)} ${c.dim(`(${safe(d.rule)})`)}`;
  if (report.changes.length > 0) lines.push('');
  for (const change of report.changes) {
    const what = change.subject === change.method ? change.method : `${change.method} ${change.subject}`;
    lines.push(`${c.dim(`${change.time}  ${safe(change.session)}`)}  ${safe(what)}  ${side(change.before)} → ${side(change.after)}`);
  }
  if (report.counts.length > 0) {
    lines.push('', c.bold('changes'));
    for (const n of report.counts) lines.push(`  ${side({ decision: n.before, rule: n.beforeRule })} → ${side({ decision: n.after, rule: n.afterRule })}: ${n.count}`);
  }
  if (report.cannotReplay.count > 0) {
    const calls = report.cannotReplay.calls.map((call) => `${safe(call.subject)} ×${call.count}`).join(', ');
    lines.push(
      '',
      c.yellow(`cannot replay: ${report.cannotReplay.count}`) +
        ` (${calls}): recorded without arguments, which this policy reads; set "audit": { "arguments": true } in the policy of the sessions you record`,
    );
  }
  if (run.unreadable.length > 0) lines.push(c.yellow(`${plural(run.unreadable.length, 'line')} that are not audit records were left out (first: ${shown(run.unreadable[0]!.file)}:${run.unreadable[0]!.line})`));
  const summary = `${plural(report.changes.length, 'change')}, ${report.unchanged} unchanged, ${report.cannotReplay.count} cannot replay`;
  lines.push('', report.changes.length > 0 || report.cannotReplay.count > 0 ? c.red.bold(summary) : c.green.bold(summary));
  return `${lines.join('\n')}\n`;
}
