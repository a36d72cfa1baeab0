import type { Command } from 'commander';
import { GuardError, UsageError } from '../errors.js';
import { openStateStore, resolveState, type ResolvedState, type StateOptions } from '../state/open-store.js';
import type { PendingApproval, StateStore } from '../state/store.js';
import { type CliContext, diagnostic, stripControl } from './context.js';
import { addOptions } from './register-options.js';

interface StoreFlags {
  state?: string;
  stateDir?: string;
  policy?: string;
}

/** The store the flags, the environment and (with --policy) the policy's `state` key name (SPEC §13). */
async function locate(flags: StoreFlags): Promise<ResolvedState> {
  const options: StateOptions = { state: flags.state, stateDir: flags.stateDir };
  if (flags.policy !== undefined) {
    const { loadPolicy } = await import('../policy/load.js');
    const loaded = await loadPolicy(flags.policy);
    options.policy = { state: loaded.document.state, file: loaded.file };
  }
  return resolveState(options);
}

async function withStore<T>(flags: StoreFlags, fn: (store: StateStore) => Promise<T>): Promise<T> {
  const store = await openStateStore(await locate(flags));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The options that name the state store, from the one table (options.ts), as for run. */
function storeOptions(command: Command): Command {
  return addOptions(command, ['state', 'stateDir', 'storePolicy']);
}

/** One pending approval as two lines of text. */
export function formatPending(p: PendingApproval, now: number): string {
  const left = Math.max(0, Math.round((Date.parse(p.expiresAt) - now) / 1000));
  return (
    `${p.id}  ${stripControl(p.tool)}  ${stripControl(JSON.stringify(p.arguments))}\n` +
    `          rule ${stripControl(p.rule)}${p.reason ? ` — ${stripControl(p.reason)}` : ''}; session ${stripControl(p.session)}; expires in ${left} s\n`
  );
}

/** `approvals`, `approve <id>`, `deny <id>`: answer pending approvals from any terminal (SPEC §6). */
export function register(program: Command, ctx: CliContext): void {
  const approvals = program.command('approvals').description("list the calls waiting for a person's approval (--watch: ask about each as it arrives)");
  storeOptions(addOptions(approvals, ['json', 'watch']))
    .addHelpText(
      'after',
      '\nExamples:\n  mcp-guard approvals\n  mcp-guard approvals --json --state-dir /tmp/guard-state\n  mcp-guard approvals --watch --state redis://guard-redis.internal:6379/0',
    )
    .action(async (options: StoreFlags & { json?: boolean; watch?: boolean }) => {
      if (options.watch && options.json) throw new UsageError('--watch asks on the terminal and --json prints for programs: give one of them');
      if (options.watch) {
        const { isTerminal, watchApprovals } = await import('./approvals-watch.js');
        if (!isTerminal()) {
          throw new UsageError('approvals --watch asks on a terminal, and this is not one; use mcp-guard approvals --json, then approve <id> or deny <id>');
        }
        await withStore(options, (store) => watchApprovals(store, ctx));
        return;
      }
      await withStore(options, async (store) => {
        const now = Date.now();
        const pending = await store.listPendingApprovals(now);
        if (options.json) {
          diagnostic(ctx, `pending approvals in ${store.description}`);
          ctx.stdout.write(`${JSON.stringify(pending, null, 2)}\n`);
          return;
        }
        if (pending.length === 0) {
          ctx.stdout.write(`No calls are waiting for approval in ${store.description}.\n`);
          return;
        }
        ctx.stdout.write(`Calls waiting for approval in ${store.description}:\n\n`);
        for (const p of pending) ctx.stdout.write(formatPending(p, now));
        ctx.stdout.write(`\nAnswer with: mcp-guard approve <id>   or   mcp-guard deny <id>   (with the same --state/--state-dir)\n`);
      });
    });

  for (const [name, status, verb] of [
    ['approve', 'approved', 'approved'],
    ['deny', 'denied', 'denied'],
  ] as const) {
    storeOptions(
      program
        .command(name)
        .description(`${name} a pending call by its id (exit 1 when there is no such pending call)`)
        .argument('<id>', 'the id shown by mcp-guard approvals, or in the guard\'s stderr'),
    )
      .addHelpText(
        'after',
        `\nExamples:\n  mcp-guard ${name} 3f9a1c2e\n  mcp-guard ${name} 3f9a1c2e --state-dir ~/.local/state/mcp-guard\n  mcp-guard ${name} 3f9a1c2e --state rediss://guard:secret@redis.example.com:6380/0`,
      )
      .action(async (id: string, options: StoreFlags) => {
        await withStore(options, async (store) => {
          if (!(await store.answerApproval(id, status, Date.now()))) {
            throw new GuardError(
              'NO_SUCH_APPROVAL',
              `no pending approval with id "${stripControl(id)}" in ${store.description} (it may have been answered or expired; see mcp-guard approvals)`,
            );
          }
          ctx.stdout.write(`${verb} ${id}\n`);
        });
      });
  }
}
