import type { SessionOptions } from '../proxy/session.js';

/**
 * A fast path for the `run` command line. `run` starts every guarded session, and loading
 * commander cost ~20 ms of a ~110 ms start-up; this parser accepts exactly the well-formed
 * `run` command lines and returns undefined for anything else (help, a typo, a bad value), which
 * then goes through commander for its full error messages. test/unit/cli/run-args.test.ts checks
 * that both parsers agree.
 */
export interface FastRunArgs {
  command: string[];
  options: SessionOptions;
}

const VALUE_OPTIONS: Record<string, 'policy' | 'auditLog' | 'grant' | 'stateDir' | 'state' | 'maxMessageBytes' | 'shutdownTimeout'> = {
  '-p': 'policy',
  '--policy': 'policy',
  '--audit-log': 'auditLog',
  '--grant': 'grant',
  '--state-dir': 'stateDir',
  '--state': 'state',
  '--max-message-bytes': 'maxMessageBytes',
  '--shutdown-timeout': 'shutdownTimeout',
};
const FLAGS: Record<string, 'dryRun' | 'quiet' | 'verbose'> = { '--dry-run': 'dryRun', '-q': 'quiet', '--quiet': 'quiet', '-v': 'verbose', '--verbose': 'verbose' };

export function parseRunArgs(argv: string[]): FastRunArgs | undefined {
  const options: FastRunArgs['options'] = { maxMessageBytes: 64 * 1024 * 1024, shutdownTimeout: 5 };
  let i = argv[0] === 'run' ? 1 : 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const flag = FLAGS[name];
    if (flag && eq === -1) {
      options[flag] = true;
      continue;
    }
    const key = VALUE_OPTIONS[name];
    if (!key) return undefined;
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || (eq === -1 && value.startsWith('-'))) return undefined;
    if (key === 'maxMessageBytes') {
      const n = Number(value);
      if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) return undefined;
      options.maxMessageBytes = n;
    } else if (key === 'shutdownTimeout') {
      const n = Number(value);
      if (!Number.isFinite(n) || n < 0 || value.trim() === '') return undefined;
      options.shutdownTimeout = n;
    } else {
      options[key] = value;
    }
  }
  const command = argv.slice(i);
  if (command.length === 0 || (options.quiet && options.verbose)) return undefined;
  return { command, options };
}
