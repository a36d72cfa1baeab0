import type { Writable } from 'node:stream';

/** What a command needs from the outside world; tests can pass their own streams. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  /** Set by a command's action; main() returns it. */
  exitCode: number;
  verbose: boolean;
}

/** Strips terminal control sequences (CSI/OSC/other C0/C1 controls) from untrusted text before it is printed. */
export function stripControl(text: string): string {
  return text
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/** Writes one diagnostic line to stderr, prefixed `mcp-guard:`. */
export function diagnostic(ctx: Pick<CliContext, 'stderr'>, message: string): void {
  ctx.stderr.write(`mcp-guard: ${message}\n`);
}
