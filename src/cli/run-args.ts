import type { SessionOptions } from '../proxy/session.js';
import { findOption, flagsOf, OPTIONS, type OptionSpec, OptionValueError, RUN_OPTIONS } from './options.js';

/**
 * A fast path for the `run` command line. `run` starts every guarded session, and loading
 * commander cost ~20 ms of a ~110 ms start-up; this parser reads the same option table
 * (options.ts) as commander, accepts exactly the well-formed `run` command lines, and returns
 * undefined for anything else (help, a typo, a bad value), which then goes through commander
 * for its full error messages. test/unit/cli/run-args.test.ts checks that both parsers agree.
 */
export interface FastRunArgs {
  command: string[];
  options: SessionOptions;
}

export function parseRunArgs(argv: string[]): FastRunArgs | undefined {
  const options: Record<string, unknown> = {};
  for (const id of RUN_OPTIONS) {
    const spec: OptionSpec = OPTIONS[id];
    if (spec.default !== undefined) options[flagsOf(spec).key] = spec.default;
  }
  let i = argv[0] === 'run' ? 1 : 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const found = findOption(eq === -1 ? arg : arg.slice(0, eq), RUN_OPTIONS);
    if (!found) return undefined;
    const { spec, flags } = found;
    if (!flags.takesValue) {
      if (eq !== -1) return undefined;
      options[flags.key] = !flags.negated;
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('-'))) return undefined;
    try {
      options[flags.key] = spec.parse ? spec.parse(value) : value;
    } catch (error) {
      if (error instanceof OptionValueError) return undefined;
      throw error;
    }
  }
  const command = argv.slice(i);
  if (command.length === 0 || (options.quiet && options.verbose)) return undefined;
  return { command, options: options as unknown as SessionOptions };
}
