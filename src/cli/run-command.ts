import { setFlagsFromString } from 'node:v8';
import { UsageError } from '../errors.js';
import type { Log } from '../proxy/log.js';
import type { SessionOptions } from '../proxy/session.js';
import { startUpstream } from '../proxy/start-upstream.js';
import { escapeText } from '../terminal/escape.js';
import { StderrWriter } from '../terminal/stderr.js';
import type { CliContext } from './context.js';

export type RunOptions = SessionOptions;

/** Runs a guarded session; shared by commander's action and the fast path in main.ts. */
export async function runCommand(command: string[], options: RunOptions, ctx: CliContext): Promise<void> {
  if (options.quiet && options.verbose) throw new UsageError('--quiet and --verbose cannot be used together');
  const [cmd, ...args] = command;
  if (!cmd) throw new UsageError('no server command given: put the server\'s command after "--", e.g. mcp-guard --policy policy.json -- npx -y @modelcontextprotocol/server-memory');
  ctx.verbose = Boolean(options.verbose);
  keepYoungGenerationSmall();
  // The real stderr is written without blocking the relay; a test's stream is written as it is.
  const stderr = ctx.stderr === process.stderr ? new StderrWriter(process.stderr) : undefined;
  const log: Log = (level, message) => {
    if (options.quiet && level !== 'error') return;
    if (!options.verbose && level === 'debug') return;
    // Messages quote what servers and agents sent: one line each, with nothing a terminal acts on.
    const line = `mcp-guard: ${escapeText(message)}\n`;
    if (stderr) stderr.line(line);
    else ctx.stderr.write(line);
  };
  // The server starts first (this module and start-upstream.js are small and load with main.js),
  // and boots while the rest of mcp-guard loads.
  const serverStderr = stderr?.nonBlocking ? { write: (chunk: Buffer) => stderr.bytes(chunk), onDrain: (fn: () => void) => stderr.onDrain(fn) } : undefined;
  const started = await startUpstream(cmd, args, options.policy, serverStderr);
  let runGuard: typeof import('../proxy/session.js').runGuard;
  try {
    ({ runGuard } = await import('../proxy/session.js'));
  } catch (error) {
    started.upstream.kill();
    await started.upstream.exited;
    throw error;
  }
  log('debug', `started ${cmd} (pid ${started.upstream.pid}) under ${started.policyFile}`);
  ctx.exitCode = await runGuard(started, cmd, args, options, { stdin: process.stdin, stdout: process.stdout, log });
}

/**
 * A relay allocates a little for every message and keeps almost none of it, yet under a pipelined
 * load V8 grows its young generation to its maximum (16 MiB semi-spaces, ~25 MiB of extra RSS).
 * Kept at its starting size it is scavenged more often, at no cost to throughput measured in the
 * benchmark (docs/performance.md), and a session's peak memory stays near a raw relay's. The flag
 * is read each time V8 considers growing, so setting it now takes effect; a Node.js whose V8 does
 * not know it just keeps its default.
 */
function keepYoungGenerationSmall(): void {
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    // Not fatal: memory use is then what Node.js chooses.
  }
}
