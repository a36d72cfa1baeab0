import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { RUN_OPTIONS } from './options.js';
import { addOptions } from './register-options.js';
import { type RunOptions, runCommand } from './run-command.js';

export function register(program: Command, ctx: CliContext): void {
  const run = program
    .command('run', { isDefault: false })
    .description('start an MCP server as a child and relay its stdio, judging every message by the policy (the default command)')
    .usage('[options] -- <command> [args...]')
    // Optional here so that a missing command gets our message (put it after "--"), not commander's.
    .argument('[command...]', 'the server command and its arguments, after "--"');
  addOptions(run, RUN_OPTIONS)
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Examples:
  mcp-guard --policy ./policy.json -- npx -y @modelcontextprotocol/server-filesystem ~/projects
  mcp-guard run -p policy.yaml --audit-log ~/mcp-audit.jsonl -- python -m my_server
  mcp-guard --dry-run -p new-policy.json -- node server.js     # log what would be refused`,
    )
    .action((command: string[], options: RunOptions) => runCommand(command, options, ctx));
}
