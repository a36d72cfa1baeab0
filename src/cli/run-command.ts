import { UsageError } from '../errors.js';
import type { SessionOptions } from '../proxy/session.js';
import { type CliContext, diagnostic, stripControl } from './context.js';

export type RunOptions = SessionOptions;

/** Runs a guarded session; shared by commander's action and the fast path in main.ts. */
export async function runCommand(command: string[], options: RunOptions, ctx: CliContext): Promise<void> {
  if (options.quiet && options.verbose) throw new UsageError('--quiet and --verbose cannot be used together');
  const [cmd, ...args] = command;
  if (!cmd) throw new UsageError('no server command given: put the server\'s command after "--", e.g. mcp-guard --policy policy.json -- npx -y @modelcontextprotocol/server-memory');
  ctx.verbose = Boolean(options.verbose);
  const { runGuard } = await import('../proxy/session.js');
  ctx.exitCode = await runGuard(cmd, args, options, {
    stdin: process.stdin,
    stdout: process.stdout,
    log: (level, message) => {
      if (options.quiet && level !== 'error') return;
      if (!options.verbose && level === 'debug') return;
      diagnostic(ctx, stripControl(message));
    },
  });
}
