import type { PolicyProblem } from './policy/problem.js';

/**
 * Errors are values with a kind: the library throws these, and the CLI maps `exitCode` to the
 * process exit status in one place (src/cli/main.ts). Nothing in the library calls process.exit.
 */
export class GuardError extends Error {
  /** Stable machine-readable code; tests and callers match on this, never on the message. */
  readonly code: string;
  /** Exit status the CLI uses when this error ends a command. */
  readonly exitCode: number;
  readonly data: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: { exitCode?: number; data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GuardError';
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
    this.data = options.data;
  }
}

/** A bad command line: exit 2. */
export class UsageError extends GuardError {
  constructor(message: string, data?: Record<string, unknown>) {
    super('USAGE', message, { exitCode: 2, data });
    this.name = 'UsageError';
  }
}


/** A policy that cannot be used (missing, unparsable or invalid): exit 2, fail closed. */
export class PolicyError extends GuardError {
  readonly problems: PolicyProblem[];

  constructor(message: string, problems: PolicyProblem[] = [], code = 'POLICY_INVALID') {
    super(code, message, { exitCode: 2 });
    this.name = 'PolicyError';
    this.problems = problems;
  }
}

/** The upstream command could not be started: 127 not found, 126 not executable. */
export class SpawnError extends GuardError {
  constructor(code: 'COMMAND_NOT_FOUND' | 'COMMAND_NOT_EXECUTABLE', command: string, cause?: unknown) {
    super(
      code,
      code === 'COMMAND_NOT_FOUND'
        ? `command not found: ${command} (check the command after "--" and your PATH)`
        : `command is not executable: ${command} (check its permissions, or run it through its interpreter)`,
      { exitCode: code === 'COMMAND_NOT_FOUND' ? 127 : 126, data: { command }, cause },
    );
    this.name = 'SpawnError';
  }
}
