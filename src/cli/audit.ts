import path from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { diagnostic } from './context.js';
import { pathValue } from './options.js';
import { addOptions } from './register-options.js';

interface AuditOptions {
  policy?: string;
  /** Epoch ms. */
  since?: number;
  json?: boolean;
  follow?: boolean;
}

/** How many existing records `--follow` shows before the new ones (without --since), as `tail -f` does. */
const FOLLOW_BACKLOG = 10;

/** `audit`: a summary of audit logs, or a live view of them (SPEC §10). */
export function register(program: Command, ctx: CliContext): void {
  const audit = program
    .command('audit')
    .description("summarise audit logs: calls by tool and decision, the rules that refused most, sessions and time span; --follow shows decisions as they happen")
    .argument('[logs...]', 'audit logs (default: "audit.path" of the policy)', (value: string, previous: string[] = []) => [...previous, pathValue(value)]);
  addOptions(audit, ['auditPolicy', 'since', 'json', 'follow'])
    .addHelpText(
      'after',
      `
Exit status: 0 (--follow: also when interrupted with Ctrl-C), 2 on a usage error (no log, an
unreadable log, a bad --since).

Examples:
  mcp-guard audit ~/.local/state/mcp-guard/audit.jsonl
  mcp-guard audit --since 1h --json audit.jsonl | jq '.calls'
  mcp-guard audit --follow audit.jsonl`,
    )
    .action(async (given: string[], options: AuditOptions) => {
      const { defaultAuditLog } = await import('../audit/default-log.js');
      const cwd = process.cwd();
      const logs = given.length > 0 ? given.map((log) => path.resolve(cwd, log)) : [await defaultAuditLog({ ...(options.policy !== undefined ? { policy: options.policy } : {}), cwd, env: process.env })];
      const since = options.since;
      const { colorLevel } = await import('./lint.js');
      const level = colorLevel(process.env, ctx.stdout === process.stdout && process.stdout.isTTY === true);
      if (options.follow) {
        await follow(ctx, logs, since, options.json === true, level);
        return;
      }
      const [{ readAuditLogs }, { summariseAudit }] = await Promise.all([import('../audit/read-log.js'), import('../audit/summary.js')]);
      const { entries, unreadable } = await readAuditLogs(logs, since === undefined ? undefined : (e) => e.t >= since);
      const summary = summariseAudit(entries, unreadable.length);
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify({ logs, ...(since !== undefined ? { since: new Date(since).toISOString() } : {}), ...summary }, null, 2)}\n`);
      } else {
        const { formatAuditSummary } = await import('../audit/format.js');
        ctx.stdout.write(formatAuditSummary(summary, { logs, ...(since !== undefined ? { since: new Date(since).toISOString() } : {}), colorLevel: level }));
      }
    });
}

async function follow(ctx: CliContext, logs: string[], since: number | undefined, json: boolean, level: 0 | 1 | 2 | 3): Promise<void> {
  const [{ followAuditLogs }, { formatFollowLine }, { Chalk }] = await Promise.all([import('../audit/follow.js'), import('../audit/format.js'), import('chalk')]);
  const c = new Chalk({ level });
  const stop = new AbortController();
  // Ctrl-C ends the view, and is not a failure.
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await followAuditLogs(logs, {
      backlog: since === undefined ? { last: FOLLOW_BACKLOG } : { since },
      signal: stop.signal,
      onEntry: (entry) => {
        if (json) {
          const { file: _file, line: _line, t: _t, ...record } = entry;
          ctx.stdout.write(`${JSON.stringify(record)}\n`);
        } else {
          ctx.stdout.write(`${formatFollowLine(entry, c, logs.length > 1 ? path.basename(entry.file) : undefined)}\n`);
        }
      },
      onUnreadable: (file, line) => diagnostic(ctx, `${file}:${line} is not an audit record; skipped`),
      onMissing: (file) => diagnostic(ctx, `${file} does not exist yet; waiting for it`),
    });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

