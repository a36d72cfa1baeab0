import type { Command } from 'commander';
import { PolicyError, UsageError } from '../errors.js';
import type { CliContext } from './context.js';

interface CheckOptions {
  policy?: string;
  json?: boolean;
  resource?: boolean;
  prompt?: boolean;
}

/** `check`: the decision a policy makes for one call, without running anything (SPEC §7 of the issue). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('check')
    .description('print the decision the policy makes for one call and the rule that decided it, without running anything')
    .argument('<name>', 'tool name (or prompt name with --prompt, resource URI with --resource)')
    .argument('[json-arguments]', 'the call\'s arguments as a JSON object', '{}')
    .option('-p, --policy <file>', 'policy file (default: $MCP_GUARD_POLICY, then discovery)')
    .option('--prompt', 'judge prompts/get for the prompt <name>')
    .option('--resource', 'judge resources/read for the URI <name>')
    .option('--json', 'print the decision as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 when the call would be relayed, 1 when it would be refused or needs a person's
approval (see "outcome" in --json), 2 on a usage or policy error.

Examples:
  mcp-guard check -p policy.json python_venv '{"action":"delete","venvPath":"~/projects/app/.venv"}'
  mcp-guard check -p policy.json --resource file:///home/me/secrets/key.pem
  mcp-guard check --json shell_exec '{"cmd":"ls"}'`,
    )
    .action(async (name: string, rawArgs: string, options: CheckOptions) => {
      let args: unknown;
      try {
        args = JSON.parse(rawArgs);
      } catch {
        throw new UsageError(`the arguments are not valid JSON: ${rawArgs}; pass an object such as '{"path":"/tmp/x"}'`);
      }
      if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new UsageError('the arguments must be a JSON object');
      if (options.prompt && options.resource) throw new UsageError('--prompt and --resource cannot be used together');
      const [{ findPolicyFile }, { loadPolicy }, { compilePolicy }, { decideMessage }] = await Promise.all([
        import('../policy/discover.js'),
        import('../policy/load.js'),
        import('../policy/compile.js'),
        import('../policy/decide.js'),
      ]);
      const file = await findPolicyFile({ explicit: options.policy, env: process.env, cwd: process.cwd() });
      const loaded = await loadPolicy(file);
      let policy;
      try {
        policy = await compilePolicy(loaded.document, loaded.file);
      } catch (error) {
        throw new PolicyError(`${loaded.file}: ${(error as Error).message}`);
      }
      const method = options.resource ? 'resources/read' : options.prompt ? 'prompts/get' : 'tools/call';
      const params = options.resource ? { uri: name } : { name, arguments: args };
      const decision = decideMessage(policy, 'client→server', method, params as Record<string, unknown>);
      const result = {
        method,
        ...(options.resource ? { uri: name } : options.prompt ? { prompt: name } : { tool: name }),
        outcome: decision.outcome,
        decision: decision.outcome === 'refuse' ? decision.decision : decision.outcome === 'ask' ? 'ask' : 'allowed',
        rule: decision.rule === 'lifecycle' ? 'methods' : decision.rule,
        ...(decision.outcome !== 'allow' && decision.reason ? { reason: decision.reason } : {}),
        ...(decision.outcome === 'refuse' ? {} : { limits: decision.charges.map((c) => ({ counter: c.counter, max: c.max, windowSeconds: c.windowMs / 1000, scope: c.scope, amount: c.amount, rule: c.rule })) }),
        policy: loaded.file,
      };
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const { default: chalk } = await import('chalk');
        const label =
          decision.outcome === 'allow' ? chalk.green('allowed') : decision.outcome === 'ask' ? chalk.yellow('asks a person') : chalk.red(`refused (${result.decision})`);
        ctx.stdout.write(`${label}  ${result.rule}${'reason' in result && result.reason ? `  — ${result.reason}` : ''}\n`);
        for (const l of result.limits ?? []) {
          ctx.stdout.write(`  counts against ${l.counter}: ${l.amount} of at most ${l.max} per ${l.windowSeconds} s (${l.scope}, ${l.rule})\n`);
        }
      }
      ctx.exitCode = decision.outcome === 'allow' ? 0 : 1;
    });
}
