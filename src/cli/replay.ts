import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { pathValue } from './options.js';
import { addOptions } from './register-options.js';

interface ReplayOptions {
  policy?: string;
  json?: boolean;
}

/** `replay`: recorded traffic judged again under another policy (SPEC §10). */
export function register(program: Command, ctx: CliContext): void {
  const replay = program
    .command('replay')
    .description('judge the calls of audit logs again under a policy, and print those whose decision would change')
    .argument('<audit-logs...>', 'audit logs (JSON lines, as written by --audit-log)', (value: string, previous: string[] = []) => [...previous, pathValue(value)]);
  addOptions(replay, ['policy', 'json'])
    .addHelpText(
      'after',
      `
Every client→server record is decided again, in time order, with limits simulated on the
records' own timestamps (in memory: session limits per recorded session, grant limits shared).
A call the policy judges by its arguments needs them in the log ("audit": { "arguments": true });
a record without them is counted as "cannot replay", never passed.

Exit status: 0 when no decision would change, 1 when one would (or a record cannot be
replayed), 2 on a usage error or a policy with errors.

Examples:
  mcp-guard replay --policy new-policy.json ~/.local/state/mcp-guard/audit.jsonl
  mcp-guard replay -p policy.json monday.jsonl tuesday.jsonl --json | jq '.report.counts'`,
    )
    .action(async (logs: string[], options: ReplayOptions) => {
      const { runReplay } = await import('../audit/run-replay.js');
      const run = await runReplay({ logs, ...(options.policy !== undefined ? { policy: options.policy } : {}), cwd: process.cwd(), env: process.env });
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      } else {
        const [{ formatReplay }, { colorLevel }] = await Promise.all([import('../audit/format.js'), import('./lint.js')]);
        ctx.stdout.write(formatReplay(run, { cwd: process.cwd(), colorLevel: colorLevel(process.env, ctx.stdout === process.stdout && process.stdout.isTTY === true) }));
      }
      ctx.exitCode = run.report.changes.length > 0 || run.report.cannotReplay.count > 0 ? 1 : 0;
    });
}
