import { resolve } from 'node:path';
import type { Command } from 'commander';
import { GuardError, UsageError } from '../errors.js';
import type { ServerPins } from '../pins/pin-document.js';
import type { StateStore } from '../state/store.js';
import { type CliContext, diagnostic } from './context.js';
import { addOptions } from './register-options.js';

interface PinsFlags {
  policy?: string;
  grant?: string;
  state?: string;
  stateDir?: string;
  json?: boolean;
}

/** The options every pins command takes, from the one table (options.ts): the grant and the store as for run, and --json. */
function pinsOptions(command: Command): Command {
  return addOptions(command, ['pinsPolicy', 'pinsGrant', 'state', 'stateDir', 'json']);
}

/** The grant and the store, found as `run` finds them (SPEC §12): --policy (or discovery) and --grant; --state/--state-dir, the environment, the policy's `state`. */
async function openGrant(flags: PinsFlags): Promise<{ grant: string; store: StateStore }> {
  const [{ findPolicyFile }, { openStateStore, resolveState }] = await Promise.all([import('../policy/source/discover.js'), import('../state/open-store.js')]);
  let policyFile: string | undefined;
  try {
    policyFile = await findPolicyFile({ explicit: flags.policy, env: process.env, cwd: process.cwd() });
  } catch (error) {
    // With --grant, the grant is known: a policy is only needed for its "state" key.
    if (flags.grant === undefined || !(error instanceof GuardError) || error.code !== 'POLICY_NOT_FOUND') throw error;
  }
  let policy: { state: string | undefined; file: string } | undefined;
  if (policyFile !== undefined) {
    const { loadPolicy } = await import('../policy/load.js');
    const loaded = await loadPolicy(policyFile);
    policy = { state: loaded.document.state, file: loaded.file };
  }
  const state = resolveState({ state: flags.state, stateDir: flags.stateDir, policy });
  return { grant: flags.grant ?? resolve(policyFile!), store: await openStateStore(state) };
}

/** The words after `--` on the command line: the server a pins command is limited to. */
function serverAfterDashes(command: Command, operands: readonly string[]): string[] | undefined {
  let root = command;
  while (root.parent) root = root.parent;
  const raw = (root as Command & { rawArgs?: string[] }).rawArgs ?? [];
  const at = raw.indexOf('--');
  if (at === -1) return undefined;
  const words = raw.slice(at + 1);
  if (words.length === 0) throw new UsageError('no server command after "--"; give the command line the server runs with, as in mcp-guard run');
  return operands.slice(operands.length - words.length);
}

/** The grant's pinned servers, or the one named after `--` (exit 1 when it has no pins). */
async function serversOf(store: StateStore, grant: string, server: string[] | undefined): Promise<ServerPins[]> {
  const [{ listPins }, { showServer }] = await Promise.all([import('../pins/pin-store.js'), import('../pins/report.js')]);
  const all = (await listPins(store, grant)).map((e) => e.pins);
  if (server === undefined) return all;
  const match = all.filter((p) => p.server.length === server.length && p.server.every((w, i) => w === server[i]));
  if (match.length === 0) {
    throw new GuardError(
      'PINS_NO_SERVER',
      `nothing is pinned for ${showServer(server)} under the grant ${JSON.stringify(grant)} in ${store.description}${all.length > 0 ? `; pinned: ${all.map((p) => showServer(p.server)).join('; ')}` : ''}`,
    );
  }
  return match;
}

async function withGrant<T>(flags: PinsFlags, fn: (store: StateStore, grant: string) => Promise<T>): Promise<T> {
  const { grant, store } = await openGrant(flags);
  try {
    return await fn(store, grant);
  } finally {
    await store.close();
  }
}

/** `pins`, `pins diff`, `pins accept`: what is pinned, what changed, and a person's accept (SPEC §12). */
export function register(program: Command, ctx: CliContext): void {
  const pins = pinsOptions(
    program
      .command('pins')
      .description("list the servers whose tool, prompt and resource-template definitions are pinned under the grant (diff: what changed; accept: accept it)")
      .argument('[server...]', 'only this server: its command line after "--", as it runs under mcp-guard'),
  )
    .addHelpText(
      'after',
      `
A server's definitions are pinned the first time mcp-guard sees them (or by init). Under the
policy's "pin": "block" (the default), a definition that changed or appeared since is hidden
and refused until it is accepted here.

Examples:
  mcp-guard pins --policy policy.json
  mcp-guard pins diff --policy policy.json
  mcp-guard pins diff --json --policy policy.json -- npx -y @modelcontextprotocol/server-everything
  mcp-guard pins accept read_file --policy policy.json
  mcp-guard pins accept --all --policy policy.json --state redis://guard-redis.internal:6379/0`,
    )
    .action(async (words: string[], flags: PinsFlags, command: Command) => {
      const server = serverAfterDashes(command, words);
      if (server === undefined && words.length > 0) throw new UsageError(`unexpected "${words[0]}": put the server command after "--" (mcp-guard pins -- <command>), or use pins diff / pins accept`);
      await withGrant(flags, async (store, grant) => {
        const { summarisePins, formatSummaries } = await import('../pins/report.js');
        const summaries = (await serversOf(store, grant, server)).map(summarisePins);
        if (flags.json) {
          ctx.stdout.write(`${JSON.stringify(summaries, null, 2)}\n`);
          return;
        }
        if (summaries.length === 0) {
          ctx.stdout.write(`Nothing is pinned under the grant ${JSON.stringify(grant)} in ${store.description} yet: a server is pinned the first time it lists its tools under mcp-guard, or by mcp-guard init.\n`);
          return;
        }
        ctx.stdout.write(`Pinned under the grant ${JSON.stringify(grant)} in ${store.description}:\n\n${formatSummaries(summaries)}`);
      });
    });

  pinsOptions(
    pins
      .command('diff')
      .description('show what changed since pinning: changed descriptions and schemas, new and removed definitions, renames (exit 1 when something waits to be accepted)')
      .argument('[server...]', 'only this server: its command line after "--"'),
  )
    .addHelpText('after', '\nExamples:\n  mcp-guard pins diff --policy policy.json\n  mcp-guard pins diff --json --policy policy.json -- node server.js')
    .action(async (words: string[], flags: PinsFlags, command: Command) => {
    const server = serverAfterDashes(command, words);
    if (server === undefined && words.length > 0) throw new UsageError(`unexpected "${words[0]}": put the server command after "--" (mcp-guard pins diff -- <command>)`);
    await withGrant(flags, async (store, grant) => {
      const [{ pendingChanges }, { diffJson, formatDiff }] = await Promise.all([import('../pins/changes.js'), import('../pins/report.js')]);
      const servers = await serversOf(store, grant, server);
      const changes = servers.map((s) => pendingChanges(s));
      if (flags.json) ctx.stdout.write(`${JSON.stringify(servers.map((s, i) => diffJson(s, changes[i])), null, 2)}\n`);
      else if (servers.length === 0) ctx.stdout.write(`Nothing is pinned under the grant ${JSON.stringify(grant)} in ${store.description} yet.\n`);
      else ctx.stdout.write(servers.map((s, i) => formatDiff(s, changes[i])).join('\n'));
      const waiting = changes.reduce((n, c) => n + c.length, 0);
      if (waiting > 0) {
        if (!flags.json) ctx.stdout.write(`\nAccept with: mcp-guard pins accept <name>... (or --all), with the same --policy/--grant and store options\n`);
        ctx.exitCode = 1;
      }
    });
  });

  pinsOptions(
    addOptions(pins.command('accept'), ['acceptAll'])
      .description('accept changed, new, renamed and removed definitions, so sessions show and allow them (by name, or --all)')
      .argument('[names...]', 'the names pins diff shows (a rename by either name); then optionally -- <server command>'),
  )
    .addHelpText('after', '\nExamples:\n  mcp-guard pins accept read_file --policy policy.json\n  mcp-guard pins accept --all --policy policy.json -- node server.js')
    .action(async (words: string[], flags: PinsFlags & { all?: boolean }, command: Command) => {
    const server = serverAfterDashes(command, words);
    const names = server === undefined ? words : words.slice(0, words.length - server.length);
    if (flags.all && names.length > 0) throw new UsageError('give --all or names, not both');
    if (!flags.all && names.length === 0) throw new UsageError('name the definitions to accept (see mcp-guard pins diff), or give --all');
    await withGrant(flags, async (store, grant) => {
      const [{ acceptPending }, { showServer }, { KIND_NOUN }, { escapeText }] = await Promise.all([
        import('../pins/accept.js'),
        import('../pins/report.js'),
        import('../pins/definitions.js'),
        import('../terminal/escape.js'),
      ]);
      const servers = await serversOf(store, grant, server);
      const accepted = await acceptPending(store, servers, flags.all ? { all: true } : { all: false, names }, new Date().toISOString());
      if (flags.json) {
        const out = accepted.flatMap((a) =>
          a.changes.map((c) => ({
            server: a.server,
            kind: c.kind === 'resourceTemplates' ? 'resourceTemplate' : c.kind.slice(0, -1),
            change: c.change,
            name: c.name,
            ...(c.change === 'renamed' ? { from: c.from } : {}),
            ...('currentDigest' in c ? { digest: c.currentDigest } : {}),
          })),
        );
        ctx.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        return;
      }
      if (accepted.length === 0) {
        ctx.stdout.write('Nothing was waiting to be accepted.\n');
        return;
      }
      for (const a of accepted) {
        ctx.stdout.write(`${showServer(a.server)}\n`);
        for (const c of a.changes) {
          const noun = `${KIND_NOUN[c.kind]} "${escapeText(c.name)}"`;
          const what =
            c.change === 'removed'
              ? `forgot ${noun} (no longer listed)`
              : c.change === 'renamed'
                ? `pinned ${noun} (renamed from "${escapeText(c.from)}")`
                : `pinned ${noun} (${c.change})`;
          ctx.stdout.write(`  ${what}\n`);
        }
      }
      diagnostic(ctx, 'sessions of these servers judge by the new pins from their next list or call, and tell clients that were shown less to list again');
    });
  });
}
