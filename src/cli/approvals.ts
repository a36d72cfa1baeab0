import type { Command } from 'commander';
import { GuardError } from '../errors.js';
import { openStateDatabase } from '../state/database.js';
import { ApprovalStore } from '../state/approvals.js';
import { resolveStateDir } from '../state/state-dir.js';
import { type CliContext, stripControl } from './context.js';

function storeFor(stateDir: string | undefined): { store: ApprovalStore; close: () => void } {
  const db = openStateDatabase(resolveStateDir(stateDir));
  return { store: new ApprovalStore(db), close: () => db.close() };
}

/** `approvals`, `approve <id>`, `deny <id>`: answer pending approvals from any terminal (SPEC §6). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('approvals')
    .description('list the calls waiting for a person\'s approval')
    .option('--json', 'print a JSON array')
    .option('--state-dir <dir>', 'state directory (as for run)')
    .addHelpText('after', '\nExamples:\n  mcp-guard approvals\n  mcp-guard approvals --json --state-dir /tmp/guard-state')
    .action((options: { json?: boolean; stateDir?: string }) => {
      const { store, close } = storeFor(options.stateDir);
      try {
        const pending = store.listPending(Date.now());
        if (options.json) {
          ctx.stdout.write(`${JSON.stringify(pending, null, 2)}\n`);
          return;
        }
        if (pending.length === 0) {
          ctx.stdout.write('No calls are waiting for approval.\n');
          return;
        }
        for (const p of pending) {
          const left = Math.max(0, Math.round((Date.parse(p.expiresAt) - Date.now()) / 1000));
          ctx.stdout.write(
            `${p.id}  ${stripControl(p.tool)}  ${stripControl(JSON.stringify(p.arguments))}\n` +
              `          rule ${stripControl(p.rule)}${p.reason ? ` — ${stripControl(p.reason)}` : ''}; session ${p.session}; expires in ${left} s\n`,
          );
        }
        ctx.stdout.write(`\nAnswer with: mcp-guard approve <id>   or   mcp-guard deny <id>\n`);
      } finally {
        close();
      }
    });

  for (const [name, status, verb] of [
    ['approve', 'approved', 'approved'],
    ['deny', 'denied', 'denied'],
  ] as const) {
    program
      .command(name)
      .description(`${name} a pending call by its id (exit 1 when there is no such pending call)`)
      .argument('<id>', 'the id shown by mcp-guard approvals, or in the guard\'s stderr')
      .option('--state-dir <dir>', 'state directory (as for run)')
      .addHelpText('after', `\nExamples:\n  mcp-guard ${name} 3f9a1c2e\n  mcp-guard ${name} 3f9a1c2e --state-dir ~/.local/state/mcp-guard`)
      .action((id: string, options: { stateDir?: string }) => {
        const { store, close } = storeFor(options.stateDir);
        try {
          if (!store.answer(id, status, Date.now())) {
            throw new GuardError('NO_SUCH_APPROVAL', `no pending approval with id "${stripControl(id)}" (it may have been answered or expired; see mcp-guard approvals)`);
          }
          ctx.stdout.write(`${verb} ${id}\n`);
        } finally {
          close();
        }
      });
  }
}
