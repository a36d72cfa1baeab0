import { type Command, Option } from 'commander';
import { seconds, wholeNumber } from './option-values.js';
import type { CliContext } from './context.js';
import { type RunOptions, runCommand } from './run-command.js';


export function register(program: Command, ctx: CliContext): void {
  program
    .command('run', { isDefault: false })
    .description('start an MCP server as a child and relay its stdio, judging every message by the policy (the default command)')
    .argument('<command...>', 'the server command and its arguments, after "--"')
    .option('-p, --policy <file>', 'policy file (JSON or YAML); default: $MCP_GUARD_POLICY, then discovery from the working directory')
    .option('--audit-log <file>', 'append one JSON line per decision to this file')
    .option('--dry-run', 'judge and log every message, but forward everything (shadow mode)')
    .option('--grant <id>', 'identity that scope:"grant" counters are shared under (default: the policy file\'s absolute path)')
    .option('--state-dir <dir>', 'where persistent state lives (default: $MCP_GUARD_STATE_DIR, else the platform state dir)')
    .option('--state <url>', 'the state store: sqlite:<dir>, redis://[user[:password]@]host[:port][/db] or rediss://… (default: $MCP_GUARD_STATE, the policy\'s "state", then the state dir)')
    .addOption(new Option('--max-message-bytes <n>', 'largest line accepted in either direction').argParser(wholeNumber(1)).default(64 * 1024 * 1024, '64 MiB'))
    .addOption(new Option('--shutdown-timeout <seconds>', 'grace period before SIGTERM, and again before SIGKILL, when stopping the server').argParser(seconds(true)).default(5))
    .option('-q, --quiet', 'only errors on stderr')
    .option('-v, --verbose', 'also log every decision on stderr, and stack traces on errors')
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
