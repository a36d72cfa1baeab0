import path from 'node:path';
import type { Command } from 'commander';
import type { ServerSource } from '../clients/config-document.js';
import type { FoundConfig } from '../clients/config-files.js';
import type { ConfigEdit, EditOperation } from '../clients/edit-configs.js';
import { CLIENT_IDS, CLIENT_NAMES, type ClientEnvironment, type ClientId } from '../clients/registry.js';
import { GuardError, UsageError } from '../errors.js';
import { type CliContext, diagnostic } from './context.js';
import { addOptions } from './register-options.js';

/** `mcp-guard clients`, `wrap` and `unwrap`: commander wiring; the work is in src/clients/. */

interface SelectOptions {
  client?: ClientId;
  server?: string[];
}

export function register(program: Command, ctx: CliContext): void {
  addOptions(
    program.command('clients').description('list the MCP client configs found, every server in them, and whether each is guarded and by which policy'),
    ['client', 'json'],
  )
    .addHelpText(
      'after',
      `
Looks in the user-level files of Claude Desktop, Claude Code (~/.claude.json), Cursor, VS Code,
Windsurf, Codex (~/.codex/config.toml) and Gemini CLI, and in the project files (.mcp.json,
.cursor/mcp.json, .vscode/mcp.json, .codex/config.toml, .gemini/settings.json) of the current
directory. Client ids: ${CLIENT_IDS.join(', ')}.

Examples:
  mcp-guard clients
  mcp-guard clients --client claude-desktop
  mcp-guard clients --json`,
    )
    .action(async (options: SelectOptions & { json?: boolean }) => {
      const [{ readConfigs }, { listClientConfigs }, { currentEnvironment }] = await Promise.all([
        import('../clients/config-files.js'),
        import('../clients/list-clients.js'),
        import('../clients/registry.js'),
      ]);
      const { found, searched } = await readConfigs(currentEnvironment(), options.client);
      const configs = listClientConfigs(found);
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify({ configs, searched: searched.map((l) => ({ client: l.client, scope: l.scope, file: l.file })) }, null, 2)}\n`);
      } else if (configs.length === 0) {
        diagnostic(ctx, `no ${options.client ? `${CLIENT_NAMES[options.client]} ` : ''}MCP client configuration found; looked for:\n${searched.map((l) => `  ${l.file}`).join('\n')}`);
      } else {
        ctx.stdout.write((await import('./clients-output.js')).formatClientList(configs));
      }
      if (configs.some((c) => c.error !== undefined)) ctx.exitCode = 1;
    });

  addOptions(
    program.command('wrap').description('rewrite client configs so their stdio servers start through mcp-guard (comments and layout kept, a backup written)'),
    ['client', 'serverNames', 'wrapPolicy', 'diff'],
  )
    .addHelpText(
      'after',
      `
Each chosen server's command becomes this mcp-guard (node and its script, absolute paths) and its
args become ["<script>", "--policy", "<policy>", "--", <the server's command and args>]; env,
cwd and every other key stay. A guarded server is left alone, or gets the new policy. Remote
(URL) servers are never touched. Run "mcp-guard unwrap" to undo it exactly.

Examples:
  mcp-guard wrap --client claude-desktop --policy ~/.config/mcp-guard/policy.json
  mcp-guard wrap --client cursor --server github --policy github.policy.json --dry-run
  mcp-guard wrap --client vscode
  mcp-guard wrap --policy ~/.config/mcp-guard/policy.json`,
    )
    .action(async (options: SelectOptions & { policy?: string; dryRun?: boolean }) => {
      const { currentLauncher } = await import('../clients/guard-launcher.js');
      await editConfigs(options, ctx, async (found, selected, environment) => {
        const launcher = await currentLauncher();
        const settings = { launcher, platform: environment.platform };
        if (options.policy !== undefined) {
          const policy = path.resolve(environment.cwd, options.policy);
          // A client that cannot start its server says little about why; check the policy now.
          await (await import('../policy/load.js')).loadPolicy(policy);
          return { kind: 'wrap', settingsFor: () => ({ ...settings, policy }) };
        }
        const { choosePoliciesWithInit, isInteractive, policyKey } = await import('./wrap-init.js');
        if (!isInteractive(ctx)) {
          throw new UsageError('wrap needs --policy <file>, the policy to guard the servers with (on a terminal, wrap without --policy offers to write one per server with init)');
        }
        const chosen = await choosePoliciesWithInit(found, selected, environment, ctx);
        return {
          kind: 'wrap',
          settingsFor: (config, server) => {
            const policy = chosen.get(policyKey(config, server));
            return policy === undefined ? undefined : { ...settings, policy };
          },
        };
      });
    });

  addOptions(
    program.command('unwrap').description('undo wrap: the chosen servers start without mcp-guard again, their command and args as they were'),
    ['client', 'serverNames', 'diff'],
  )
    .addHelpText(
      'after',
      `
Where nothing else in the entry changed since wrap, the file is byte for byte what it was.

Examples:
  mcp-guard unwrap --client claude-desktop
  mcp-guard unwrap --client codex --server github --dry-run
  mcp-guard unwrap`,
    )
    .action(async (options: SelectOptions & { dryRun?: boolean }) => {
      await editConfigs(options, ctx, async () => ({ kind: 'unwrap' }));
    });
}

type ChooseOperation = (found: FoundConfig[], selected: (server: ServerSource) => boolean, environment: ClientEnvironment) => Promise<EditOperation>;

/** Shared by wrap and unwrap: read, choose, plan every file, report, then show or write the changes. */
async function editConfigs(options: SelectOptions & { dryRun?: boolean }, ctx: CliContext, chooseOperation: ChooseOperation): Promise<void> {
  const [{ readConfigs }, { planConfigEdit }, { selectServers }, { currentEnvironment }] = await Promise.all([
    import('../clients/config-files.js'),
    import('../clients/edit-configs.js'),
    import('../clients/select-servers.js'),
    import('../clients/registry.js'),
  ]);
  const environment = currentEnvironment();
  const { found, searched } = await readConfigs(environment, options.client);
  for (const config of found.filter((c) => c.error)) {
    diagnostic(ctx, `skipped ${config.error!.message}`);
    ctx.exitCode = 1;
  }
  const readable = found.filter((c) => c.document);
  const scope = options.client ? `${CLIENT_NAMES[options.client]} ` : '';
  if (readable.length === 0) {
    if (found.length > 0) return;
    throw new GuardError('NO_CLIENT_CONFIG', `no ${scope}MCP client configuration found (looked for ${searched.map((l) => l.file).join(', ')})`);
  }
  const selected = selectServers(readable, options.server);
  if (!readable.some((c) => c.document!.servers.some(selected))) {
    throw new GuardError('NO_SERVERS', `no MCP servers in ${readable.map((c) => c.location.file).join(', ')}`);
  }
  const operation = await chooseOperation(readable, selected, environment);
  const edits = readable.map((config) => planConfigEdit(config, selected, operation));
  await finishEdits(edits, Boolean(options.dryRun), ctx);
}

async function finishEdits(edits: ConfigEdit[], dryRun: boolean, ctx: CliContext): Promise<void> {
  const [{ describeOutcome }, { unifiedDiff }, { writeConfigFile }] = await Promise.all([
    import('./clients-output.js'),
    import('../clients/unified-diff.js'),
    import('../clients/write-config.js'),
  ]);
  for (const edit of edits) for (const outcome of edit.outcomes) diagnostic(ctx, describeOutcome(edit.config.location.client, outcome));
  if (edits.some((e) => e.outcomes.some((o) => o.action === 'unsupported'))) ctx.exitCode = 1;
  const changed = edits.filter((e) => e.after !== e.config.text);
  if (dryRun) {
    for (const edit of changed) ctx.stdout.write(unifiedDiff(edit.config.text, edit.after, edit.config.location.file));
    diagnostic(ctx, `dry run: ${changed.length === 0 ? 'nothing would change' : `${changed.length} file${changed.length === 1 ? '' : 's'} would change`}; nothing was written`);
    return;
  }
  for (const edit of changed) {
    const written = await writeConfigFile(edit.config.location.file, edit.config.text, edit.after, new Date());
    diagnostic(ctx, `wrote ${written.file} (the old version is in ${written.backup}); restart ${CLIENT_NAMES[edit.config.location.client]} to use it`);
  }
  if (changed.length === 0) diagnostic(ctx, 'nothing to change');
}
