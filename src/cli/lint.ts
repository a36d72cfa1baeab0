import type { Command } from 'commander';
import { supportsColor } from 'chalk';
import { UsageError } from '../errors.js';
import { type CliContext, diagnostic, stripControl } from './context.js';
import { withInterruption } from './interrupt.js';
import { pathValue } from './options.js';
import { addOptions } from './register-options.js';

interface LintOptions {
  format: 'stylish' | 'json' | 'sarif';
  maxWarnings?: number;
  fix?: boolean;
  server?: boolean;
  timeout: number;
}

export function register(program: Command, ctx: CliContext): void {
  const lint = program
    .command('lint')
    .description('check policy files: every error and warning with its position, and with --server, against the real server\'s tools')
    .argument('[files...]', 'policy files (default: the discovered policy)');
  addOptions(lint, ['lintFormat', 'maxWarnings', 'fix', 'server', 'serverTimeout'])
    .addHelpText(
      'after',
      `
Exit status: 0 clean or warnings only, 1 errors (or more warnings than --max-warnings), 2 usage errors.

Examples:
  mcp-guard lint policy.json
  mcp-guard lint --format sarif policy.json > mcp-guard.sarif
  mcp-guard lint --max-warnings 0 a.json b.yaml
  mcp-guard lint --fix policylayer-policy.json      # into the native format, same decisions
  mcp-guard lint policy.json --server -- npx -y @modelcontextprotocol/server-everything`,
    )
    .action(async (operands: string[], options: LintOptions, command: Command) => {
      // Commander hands over the server command as more operands; split them off at the "--"
      // of the arguments as given (rawArgs: set by parse() on the root command since v2).
      const raw = (command.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? [];
      const lintAt = raw.indexOf('lint');
      const dashes = raw.indexOf('--', lintAt + 1);
      const serverCommand = dashes === -1 ? [] : raw.slice(dashes + 1);
      const files = operands.slice(0, operands.length - serverCommand.length).map(pathValue);
      if (options.server && serverCommand.length === 0) throw new UsageError('--server needs the server command after "--", e.g. mcp-guard lint policy.json --server -- npx -y my-mcp-server');
      if (!options.server && serverCommand.length > 0) throw new UsageError(`a command after "--" is only used with --server (did you mean: mcp-guard lint --server -- ${serverCommand.join(' ')}?)`);

      const { runLint } = await import('../lint/run-lint.js');
      ctx.exitCode = await withInterruption((signal) =>
        runLint({
          files,
          format: options.format,
          ...(options.fix ? { fix: true } : {}),
          ...(options.maxWarnings !== undefined ? { maxWarnings: options.maxWarnings } : {}),
          ...(serverCommand.length > 0 ? { server: { command: serverCommand[0]!, args: serverCommand.slice(1), timeoutMs: options.timeout * 1000, signal } } : {}),
          cwd: process.cwd(),
          env: process.env,
          colorLevel: colorLevel(process.env, ctx.stdout === process.stdout && process.stdout.isTTY === true),
          version: command.parent?.version() ?? '0.0.0',
          write: (text) => ctx.stdout.write(text),
          note: (text) => diagnostic(ctx, stripControl(text)),
        }),
      );
    });
}

/** FORCE_COLOR wins (as in Node), then NO_COLOR (no-color.org: set and not empty), then the terminal. */
export function colorLevel(env: NodeJS.ProcessEnv, isTty: boolean): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const n = Number.parseInt(force, 10);
    return Number.isNaN(n) ? 1 : (Math.max(0, Math.min(n, 3)) as 0 | 1 | 2 | 3);
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTty) return 0;
  return supportsColor ? supportsColor.level : 0;
}
