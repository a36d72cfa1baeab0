import type { Command } from 'commander';
import { addOptions } from './register-options.js';
import { UsageError } from '../errors.js';
import type { Decision } from '../policy/engine/decision.js';
import { type CliContext, diagnostic, stripControl } from './context.js';

interface CheckOptions {
  policy?: string;
  json?: boolean;
  resource?: boolean;
  prompt?: boolean;
  repeat: number;
}

/** What `check --json` prints; the text output says the same in words. */
export interface CheckResult {
  method: string;
  tool?: string;
  prompt?: string;
  uri?: string;
  outcome: Decision['outcome'];
  /** `allowed`, `ask`, or a refusal decision of SPEC §4. */
  decision: string;
  rule: string;
  reason?: string;
  retryAfterSeconds?: number;
  /** For tools: whether `tools/list` shows the tool to the agent. */
  visible?: boolean;
  limits?: Array<{ counter: string; max: number; windowSeconds: number; scope: string; amount: number; rule: string }>;
  /** How many identical calls were judged (`--repeat`); the decision is the last one's. */
  calls: number;
  policy: string;
}

/** `check`: the decision a policy makes for one call, without running anything. */
export function register(program: Command, ctx: CliContext): void {
  const check = program
    .command('check')
    .description('print the decision the policy makes for one call and the rule that decided it, without running anything')
    .argument('<name>', 'tool name (or prompt name with --prompt, resource URI with --resource)')
    .argument('[json-arguments]', "the call's arguments as a JSON object", '{}');
  addOptions(check, ['policy', 'prompt', 'resource', 'repeat', 'json'])
    .addHelpText(
      'after',
      `
Nothing is started and no counter is touched: limits are judged against empty counters (grant
counters included), so --repeat shows when a limit trips.

Exit status: 0 when the call would be relayed, 1 when it would be refused or needs a person's
approval ("outcome": "ask" in --json), 2 on a usage or policy error.

Examples:
  mcp-guard check -p policy.json read_file '{"path":"/home/me/notes.txt"}'
  mcp-guard check -p policy.json python_venv '{"action":"delete","venvPath":"~/projects/app/.venv"}'
  mcp-guard check -p policy.json --repeat 11 python_venv '{}'     # the 11th call in a minute
  mcp-guard check -p policy.json --resource file:///home/me/secrets/key.pem
  mcp-guard check --json shell_exec '{"cmd":"ls"}' | jq .decision`,
    )
    .action(async (name: string, rawArgs: string, options: CheckOptions) => {
      if (options.prompt && options.resource) throw new UsageError('--prompt and --resource cannot be used together');
      const args = parseArguments(rawArgs);
      const [{ findPolicyFile }, { loadCompiledPolicy }, { isToolVisible }, { decisionName, simulate, SimulatedCounters }] = await Promise.all([
        import('../policy/source/discover.js'),
        import('../policy/compile-file.js'),
        import('../policy/engine/decide.js'),
        import('../policy/engine/simulate.js'),
      ]);
      const file = await findPolicyFile({ explicit: options.policy, env: process.env, cwd: process.cwd() });
      const { loaded, policy } = await loadCompiledPolicy(file);
      diagnostic(ctx, stripControl(`policy ${loaded.file}`));
      for (const w of loaded.warnings) ctx.stderr.write(`mcp-guard: ${w.file}:${w.line}:${w.column} warning: ${w.message} (${w.ruleId})\n`);

      const method = options.resource ? 'resources/read' : options.prompt ? 'prompts/get' : 'tools/call';
      const params = options.resource ? { uri: name } : { name, arguments: args };
      // Every limit, grant ones included, is simulated in memory: check never changes a real counter.
      const counters = new SimulatedCounters();
      let decision: Decision = simulate(policy, { method, params }, counters, 0).decision;
      for (let call = 2; call <= options.repeat; call++) decision = simulate(policy, { method, params }, counters, 0).decision;

      const result: CheckResult = {
        method,
        ...(options.resource ? { uri: name } : options.prompt ? { prompt: name } : { tool: name }),
        outcome: decision.outcome,
        decision: decisionName(decision),
        rule: decision.rule === 'lifecycle' ? 'methods' : decision.rule,
        ...(decision.outcome !== 'allow' && decision.reason ? { reason: decision.reason } : {}),
        ...(decision.outcome === 'refuse' && decision.retryAfterSeconds !== undefined ? { retryAfterSeconds: decision.retryAfterSeconds } : {}),
        ...(method === 'tools/call' ? { visible: isToolVisible(policy, name) } : {}),
        ...(decision.outcome === 'refuse'
          ? {}
          : {
              limits: decision.charges.map((c) => ({ counter: c.counter, max: c.max, windowSeconds: c.windowMs / 1000, scope: c.scope, amount: c.amount, rule: c.rule })),
            }),
        calls: options.repeat,
        policy: loaded.file,
      };
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        const { colorLevel } = await import('./lint.js');
        ctx.stdout.write(await describe(result, colorLevel(process.env, ctx.stdout === process.stdout && process.stdout.isTTY === true)));
      }
      ctx.exitCode = decision.outcome === 'allow' ? 0 : 1;
    });
}

function parseArguments(raw: string): Record<string, unknown> {
  let args: unknown;
  try {
    args = JSON.parse(raw);
  } catch {
    throw new UsageError(`the arguments are not valid JSON: ${stripControl(raw)}; pass an object such as '{"path":"/tmp/x"}'`);
  }
  if (args === null || typeof args !== 'object' || Array.isArray(args)) throw new UsageError('the arguments must be a JSON object, such as \'{"path":"/tmp/x"}\'');
  return args as Record<string, unknown>;
}

/** The decision in words: first line the verdict and the rule, then the reason and the limits. */
async function describe(r: CheckResult, level: 0 | 1 | 2 | 3): Promise<string> {
  const { Chalk } = await import('chalk');
  const chalk = new Chalk({ level });
  const subject = stripControl(r.tool ?? r.prompt ?? r.uri ?? '');
  const nth = r.calls > 1 ? ` (call ${r.calls} of ${r.calls})` : '';
  const verdict =
    r.outcome === 'allow' ? chalk.green('allowed') : r.outcome === 'ask' ? chalk.yellow('asks a person') : chalk.red(`refused: ${r.decision}`);
  const lines = [`${verdict}  ${r.method} ${subject}${nth}  ${chalk.dim('rule')} ${chalk.bold(r.rule)}`];
  if (r.reason) lines.push(`  ${chalk.dim('reason')} ${r.reason}`);
  for (const l of r.limits ?? []) {
    lines.push(`  ${chalk.dim('counts')} ${l.amount} against "${l.counter}": at most ${l.max} per ${l.windowSeconds} s (${l.scope}, ${l.rule})`);
  }
  if (r.visible === false) lines.push(`  ${chalk.dim('hidden')} not shown to the agent in tools/list`);
  return `${lines.join('\n')}\n`;
}
