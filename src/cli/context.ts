import type { Writable } from 'node:stream';

export { stripControl } from '../terminal/strip-control.js';

/** What a command needs from the outside world; tests can pass their own streams. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  /** Set by a command's action; main() returns it. */
  exitCode: number;
  verbose: boolean;
}

/** Writes one diagnostic line to stderr, prefixed `mcp-guard:`. */
export function diagnostic(ctx: Pick<CliContext, 'stderr'>, message: string): void {
  ctx.stderr.write(`mcp-guard: ${message}\n`);
}
