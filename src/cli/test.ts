import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { diagnostic } from './context.js';
import { pathValue } from './options.js';
import { addOptions } from './register-options.js';

interface TestOptions {
  json?: boolean;
}

/** `test`: runs the test cases of policies (SPEC §10). */
export function register(program: Command, ctx: CliContext): void {
  const test = program
    .command('test')
    .description("run a policy's test cases (its \"tests\" list and <name>.test.json beside it): each call gets the decision it expects")
    .argument('[policies...]', 'policy files, or their test files (default: the discovered policy)', (value: string, previous: string[] = []) => [...previous, pathValue(value)]);
  addOptions(test, ['json'])
    .addHelpText(
      'after',
      `
A case is { "call": "<tool>" | { "tool", "arguments" } (or "resource", "prompt", "method"),
"expect": "allowed" | "ask" | "denied" | "rate_limited" | ..., "rule"?, "repeat"?, "at"? }.
Cases run in order on in-memory counters (grant ones too) and a virtual clock: "at" is seconds
since the first case, so limits are tested without waiting. Nothing is started, nobody is asked.

Exit status: 0 when every case passes, 1 when one fails (or none ran), 2 on a usage error or a
policy or test file with errors.

Examples:
  mcp-guard test policy.json
  mcp-guard test examples/*.policy.*
  mcp-guard test --json policy.json | jq '.failed'`,
    )
    .action(async (files: string[], options: TestOptions) => {
      const { runPolicyTests } = await import('../policy-test/run-policy-tests.js');
      const run = await runPolicyTests({ files, cwd: process.cwd(), env: process.env });
      for (const w of run.warnings) diagnostic(ctx, `${w.file}:${w.line}:${w.column} warning: ${w.message} (${w.ruleId})`);
      for (const file of run.skipped) diagnostic(ctx, `skipped ${file}: not a policy file (mcp-guard test reads JSON and YAML policies)`);
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify({ passed: run.passed, failed: run.failed, policies: run.policies, skipped: run.skipped }, null, 2)}\n`);
      } else {
        const [{ formatTestRun }, { colorLevel }] = await Promise.all([import('../policy-test/format-test-run.js'), import('./lint.js')]);
        ctx.stdout.write(formatTestRun(run, { cwd: process.cwd(), colorLevel: colorLevel(process.env, ctx.stdout === process.stdout && process.stdout.isTTY === true) }));
      }
      ctx.exitCode = run.failed === 0 && run.passed > 0 ? 0 : 1;
    });
}
