import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliContext } from './context.js';
import { diagnostic } from './context.js';
import { withInterruption } from './interrupt.js';
import { addOptions } from './register-options.js';

interface InitOptions {
  output?: string;
  force?: boolean;
  format?: 'json' | 'yaml';
  rateLimit: string;
  timeout: number;
  grant?: string;
  state?: string;
  stateDir?: string;
}

/** `init`: start a server, list its tools, and write a starting policy for them. */
export function register(program: Command, ctx: CliContext): void {
  const init = program
    .command('init')
    .description("start a server, list all its tools, and write a starting policy: default deny, each tool placed by its annotations")
    .usage('[options] -- <command> [args...]')
    // Optional here so that a missing command gets our message (put it after "--"), not commander's.
    .argument('[command...]', 'the server command and its arguments, after "--"');
  addOptions(init, ['output', 'force', 'initFormat', 'rateLimit', 'serverTimeout', 'initGrant', 'state', 'stateDir'])
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Read-only tools (readOnlyHint) are allowed; destructive ones (destructiveHint, or marked not
read-only without saying they are harmless) ask a person; open-world, other writing and
unannotated tools are allowed with --rate-limit. Annotations are the server's own hints: read
the result before you use it. Each tool's description is kept beside it ($comment in JSON, a
comment in YAML), and the file passes \`mcp-guard lint\`. The tools' definitions are pinned
(see \`mcp-guard pins\`) under the grant the policy will have: the -o file, or --grant.

Examples:
  mcp-guard init -o policy.json -- npx -y @modelcontextprotocol/server-filesystem ~/projects
  mcp-guard init -o policy.yaml --rate-limit 10/minute -- python -m my_server
  mcp-guard init -- node server.js > policy.json
  mcp-guard init --format yaml -- npx -y @modelcontextprotocol/server-memory | less`,
    )
    .action(async (command: string[], options: InitOptions) => {
      if (command[0] === undefined) throw new UsageError('no server command given: put the server\'s command after "--", e.g. mcp-guard init -o policy.json -- npx -y @modelcontextprotocol/server-memory');
      const output = options.output;
      if (output !== undefined) checkOutputName(output);
      const [{ parseRateLimit }, { generateStartingPolicy }, { checkOutputFile, formatForFile, writeNewFile }, { displayCommand, shellWord }] = await Promise.all([
        import('../policy/engine/duration.js'),
        import('../init/generate-policy.js'),
        import('../init/output-file.js'),
        import('../init/command-line.js'),
      ]);
      if (!parseRateLimit(options.rateLimit)) {
        throw new UsageError(`--rate-limit "${options.rateLimit}" is not a rate; use "<count>/<window>" such as "30/minute", "5/hour" or "100/15m"`);
      }
      const format = options.format ?? (output !== undefined ? formatForFile(output) : 'json');
      if (output !== undefined) await checkOutputFile(output, Boolean(options.force));

      const { text, summary, tools } = await withInterruption((signal) =>
        generateStartingPolicy(command, { format, rateLimit: options.rateLimit, timeoutMs: options.timeout * 1000, cwd: process.cwd(), signal }),
      );
      if (output === undefined) {
        ctx.stdout.write(text);
        diagnostic(ctx, `wrote a starting policy for ${summary}`);
        await pinTools(ctx, command, tools, options, undefined);
        return;
      }
      const written = await writeNewFile(output, text, Boolean(options.force));
      diagnostic(ctx, `wrote ${written}: ${summary}`);
      await pinTools(ctx, command, tools, options, written);
      const server = displayCommand(command, false);
      diagnostic(ctx, `review it, then: mcp-guard lint ${shellWord(output)} --server -- ${server}`);
      diagnostic(ctx, `and run the server under it: mcp-guard --policy ${shellWord(written)} -- ${server}`);
    });
}

/** Pins the tools init saw under the grant the new policy will have (src/init/pin-tools.ts). */
async function pinTools(ctx: CliContext, command: string[], tools: unknown[], options: InitOptions, written: string | undefined): Promise<void> {
  const grant = options.grant ?? written;
  if (grant === undefined) {
    diagnostic(ctx, 'the tools were not pinned: with the policy on stdout init does not know its grant; give --grant <the policy file\'s absolute path> to pin them');
    return;
  }
  const { pinInitTools } = await import('../init/pin-tools.js');
  await pinInitTools((message) => diagnostic(ctx, message), command, tools, { grant, state: options.state, stateDir: options.stateDir });
}

/** init writes JSON or YAML, never code, and never over package.json. */
function checkOutputName(file: string): void {
  if (/\.[cm]?[jt]s$/i.test(file)) throw new UsageError(`init writes JSON or YAML, not a module: name the output .json, .yaml or .yml (got ${file})`);
  if (/(^|[\\/])package\.json$/i.test(file)) throw new UsageError('init does not write package.json; write mcp-guard.config.json, or a .json/.yaml file you pass with --policy');
}
