import type { Command } from 'commander';
import { GuardError } from '../errors.js';
import { openStateDatabase } from '../state/database.js';
import { ApprovalStore } from '../state/approvals.js';
import { resolveStateDir } from '../state/state-dir.js';
import { type CliContext, diagnostic, stripControl } from './context.js';
import { addOptions } from './register-options.js';

interface StateDir {
  dir: string;
  /** Where the choice came from, so that a user looking in the wrong one can tell. */
  from: string;
}

function stateDirOf(explicit: string | undefined): StateDir {
  const from = explicit
    ? 'from --state-dir'
    : process.env.MCP_GUARD_STATE_DIR
      ? 'from MCP_GUARD_STATE_DIR'
      : 'the default; a guard started with --state-dir or MCP_GUARD_STATE_DIR keeps its approvals there instead';
  return { dir: resolveStateDir(explicit), from };
}

function storeFor(stateDir: StateDir): { store: ApprovalStore; close: () => void } {
  const db = openStateDatabase(stateDir.dir);
  return { store: new ApprovalStore(db), close: () => db.close() };
}

/** `approvals`, `approve <id>`, `deny <id>`: answer pending approvals from any terminal (SPEC §6). */
export function register(program: Command, ctx: CliContext): void {
  const approvals = program.command('approvals').description("list the calls waiting for a person's approval, in the state dir it names");
  addOptions(approvals, ['json', 'stateDir'])
    .addHelpText('after', '\nExamples:\n  mcp-guard approvals\n  mcp-guard approvals --json --state-dir /tmp/guard-state')
    .action((options: { json?: boolean; stateDir?: string }) => {
      const stateDir = stateDirOf(options.stateDir);
      const { store, close } = storeFor(stateDir);
      try {
        const pending = store.listPending(Date.now());
        // The state dir is named on stderr, so that --json stays a plain array on stdout.
        diagnostic(ctx, `state dir ${stateDir.dir} (${stateDir.from})`);
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
    const command = program
      .command(name)
      .description(`${name} a pending call by its id (exit 1 when there is no such pending call)`)
      .argument('<id>', "the id shown by mcp-guard approvals, or in the guard's stderr");
    addOptions(command, ['stateDir'])
      .addHelpText('after', `\nExamples:\n  mcp-guard ${name} 3f9a1c2e\n  mcp-guard ${name} 3f9a1c2e --state-dir ~/.local/state/mcp-guard`)
      .action((id: string, options: { stateDir?: string }) => {
        const stateDir = stateDirOf(options.stateDir);
        const { store, close } = storeFor(stateDir);
        try {
          if (!store.answer(id, status, Date.now())) {
            throw new GuardError(
              'NO_SUCH_APPROVAL',
              `no pending approval with id "${stripControl(id)}" in the state dir ${stateDir.dir} (${stateDir.from}); it may have been answered or expired (see mcp-guard approvals)`,
            );
          }
          ctx.stdout.write(`${verb} ${id}\n`);
        } finally {
          close();
        }
      });
  }
}
