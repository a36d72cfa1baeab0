import { parseSince } from '../audit/since.js';
import { CLIENT_IDS } from '../clients/registry.js';
import { expandHome } from '../paths/expand-home.js';

/**
 * Every command-line option of every command, in one table: the `run` fast path
 * (run-args.ts), main.ts's look for the command name, and commander (register-options.ts,
 * which also prints the help) all read it. No commander here: `run` must not load it.
 */

/** A bad option value; commander turns it into its usage error (exit 2). */
export class OptionValueError extends Error {}

export interface OptionSpec {
  /** Commander's flags: `-p, --policy <file>`, `--dry-run`, `--no-uv`, `--packages <specs...>`. */
  flags: string;
  help: string;
  /** Turns the text into the value; throws OptionValueError for a bad one. */
  parse?: (value: string) => unknown;
  default?: unknown;
  /** How the default is shown in the help, when not as itself. */
  defaultHelp?: string;
  choices?: readonly string[];
  /** May be given more than once; the values are collected in an array. */
  repeatable?: boolean;
}

/** A path: `~` is the home directory (client configs run mcp-guard without a shell). */
export const pathValue = (value: string): string => expandHome(value);

/** A number of seconds; `allowZero` for grace periods that may be none. */
export function seconds(allowZero = false): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
      throw new OptionValueError(`"${value}" is not a ${allowZero ? '' : 'positive '}number of seconds.`);
    }
    return n;
  };
}

/** `--since`: a duration back from now, or a time; epoch milliseconds. */
function sinceValue(value: string): number {
  const since = parseSince(value, Date.now());
  if (since === undefined) throw new OptionValueError(`"${value}" is not a duration or a time; use 90s, 15m, 1h, 2d (at most a year), or an ISO 8601 time such as 2026-11-25T08:00:00Z.`);
  return since;
}

/** A whole number from `min` to `max`. */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new OptionValueError(`"${value}" is not a whole number${max === Number.MAX_SAFE_INTEGER ? ` of ${min} or more` : ` from ${min} to ${max}`}.`);
    }
    return n;
  };
}

export const OPTIONS = {
  // run (and check for --policy; approvals, approve and deny for --state-dir)
  policy: {
    flags: '-p, --policy <file>',
    help: 'policy file (JSON or YAML); default: $MCP_GUARD_POLICY, then discovery from the working directory',
    parse: pathValue,
  },
  auditLog: { flags: '--audit-log <file>', help: 'append one JSON line per decision to this file', parse: pathValue },
  dryRun: { flags: '--dry-run', help: 'judge and log every message, but forward everything (shadow mode)' },
  grant: { flags: '--grant <id>', help: 'identity that scope:"grant" counters are shared under (default: the policy file\'s absolute path)' },
  stateDir: {
    flags: '--state-dir <dir>',
    help: 'where persistent state (counters, approvals) lives; default: $MCP_GUARD_STATE_DIR, else the platform state dir',
    parse: pathValue,
  },
  state: {
    flags: '--state <url>',
    help: 'the state store: sqlite:<dir>, redis://[user[:password]@]host[:port][/db] or rediss://… (default: $MCP_GUARD_STATE, the policy\'s "state", then the state dir)',
  },
  maxMessageBytes: {
    flags: '--max-message-bytes <n>',
    help: 'largest line accepted in either direction',
    parse: wholeNumber(1),
    default: 64 * 1024 * 1024,
    defaultHelp: '64 MiB',
  },
  shutdownTimeout: {
    flags: '--shutdown-timeout <seconds>',
    help: 'grace period before SIGTERM, and again before SIGKILL, when stopping the server',
    parse: seconds(true),
    default: 5,
  },
  quiet: { flags: '-q, --quiet', help: 'only errors on stderr' },
  verbose: { flags: '-v, --verbose', help: 'also log every decision on stderr, and stack traces on errors' },

  // lint
  lintFormat: { flags: '-f, --format <format>', help: 'output format', choices: ['stylish', 'json', 'sarif'], default: 'stylish' },
  maxWarnings: { flags: '--max-warnings <n>', help: 'exit 1 when there are more than n warnings', parse: wholeNumber(0) },
  fix: {
    flags: '--fix',
    help: 'rewrite PolicyLayer constructs (require, deny_if, "args." paths) into the native format, keeping every decision, say what changed, then lint',
  },
  server: { flags: '--server', help: 'start the server given after "--", read its tool list, and check the policy against it' },
  serverTimeout: { flags: '--timeout <seconds>', help: 'how long the server may take to start and list its tools', parse: seconds(), default: 30 },

  // init
  output: {
    flags: '-o, --output <file>',
    help: 'write the policy to this file (.json, or .yaml/.yml for YAML with comments), making missing directories; default: stdout',
    parse: pathValue,
  },
  force: { flags: '--force', help: 'overwrite the output file if it exists' },
  initFormat: { flags: '--format <format>', help: 'json or yaml (default: from the -o extension, else json)', choices: ['json', 'yaml'] },
  rateLimit: {
    flags: '--rate-limit <rate>',
    help: 'the limit for open-world, other writing and unannotated tools, as "<count>/<window>"',
    default: '30/minute',
  },
  initGrant: { flags: '--grant <id>', help: 'pin the tools under this grant, as run --grant names it (default: the -o file\'s absolute path)' },

  // check
  prompt: { flags: '--prompt', help: 'judge prompts/get for the prompt <name>' },
  resource: { flags: '--resource', help: 'judge resources/read for the URI <name>' },
  repeat: {
    flags: '--repeat <n>',
    help: 'judge <n> identical calls in the same instant, against fresh counters, and print the last decision (tests rate limits)',
    parse: wholeNumber(1, 100_000),
    default: 1,
  },

  // clients, wrap, unwrap
  client: { flags: '--client <id>', help: 'only this client', choices: CLIENT_IDS },
  serverNames: { flags: '--server <name...>', help: 'only the servers with these names (default: every server found)' },
  wrapPolicy: {
    flags: '-p, --policy <file>',
    help: 'the policy to guard them with (made absolute); without it, on a terminal, offers to write one per server with init',
    parse: pathValue,
  },
  diff: { flags: '--dry-run', help: 'print the changes as a unified diff; write nothing' },

  // audit
  auditPolicy: {
    flags: '-p, --policy <file>',
    help: 'the policy whose "audit.path" is the default log (default: $MCP_GUARD_POLICY, then discovery)',
    parse: pathValue,
  },
  since: {
    flags: '--since <when>',
    help: 'only records from this long ago (90s, 15m, 1h, 2d) or since this time (2026-11-25T08:00:00Z)',
    parse: sinceValue,
  },
  follow: {
    flags: '-f, --follow',
    help: 'print the latest decisions (or, with --since, those since then), then each new one as it is appended, until interrupted',
  },

  // approvals, approve, deny
  storePolicy: { flags: '-p, --policy <file>', help: 'use the state store named by this policy\'s "state" key', parse: pathValue },
  watch: { flags: '--watch', help: 'wait for pending calls and ask y/N for each on the terminal, until Ctrl-C' },

  // pins, pins diff, pins accept
  pinsPolicy: {
    flags: '-p, --policy <file>',
    help: 'the policy whose grant (and "state") to use, as for run; default: $MCP_GUARD_POLICY, then discovery from the working directory',
    parse: pathValue,
  },
  pinsGrant: { flags: '--grant <id>', help: 'the grant, as for run (default: the policy file\'s absolute path)' },
  acceptAll: { flags: '--all', help: 'accept every change pins diff shows' },

  // output and detail (check, approvals, venv, schema)
  json: { flags: '--json', help: 'print machine-readable JSON on stdout' },
  details: { flags: '-v, --verbose', help: 'print details (tool output, stack traces) on stderr' },

  // venv
  python: {
    flags: '--python <exe-or-version>',
    help: 'interpreter: a path, a command name, or a version like 3.12 (python3.12 on PATH)',
  },
  packages: {
    flags: '--packages <specs...>',
    help: 'packages to install: names with optional versions, or paths to wheels, sdists or project directories',
    parse: pathValue,
  },
  requirements: { flags: '-r, --requirements <file>', help: 'install from a requirements file (repeatable)', parse: pathValue, repeatable: true },
  findLinks: {
    flags: '--find-links <dir-or-url>',
    help: 'also look for packages here, e.g. a directory of wheels (repeatable)',
    parse: pathValue,
    repeatable: true,
  },
  noIndex: { flags: '--no-index', help: 'do not use the package index (local files and --find-links only)' },
  systemSitePackages: { flags: '--system-site-packages', help: "give the venv access to the base interpreter's packages" },
  venvPrompt: { flags: '--prompt <name>', help: 'name shown in the shell prompt when the venv is active' },
  clear: { flags: '--clear', help: 'recreate the venv if the directory is already one (never touches a directory that is not)' },
  noUv: { flags: '--no-uv', help: 'use python -m venv and pip even when uv is on PATH' },
  yes: { flags: '-y, --yes', help: 'do not ask for confirmation (required when not on a terminal)' },
  listFormat: { flags: '--format <format>', help: 'columns, freeze (name==version) or json', choices: ['columns', 'freeze', 'json'], default: 'columns' },

  // schema
  schemaPath: { flags: '--path', help: 'print only the path of the schema file' },
  schemaUrl: { flags: '--url', help: 'print only the schema\'s file: URL, as "$schema" takes it' },
} as const satisfies Record<string, OptionSpec>;

export type OptionId = keyof typeof OPTIONS;

/** The options of `run`, which also stand before the server command when `run` is left out. */
export const RUN_OPTIONS = ['policy', 'auditLog', 'dryRun', 'grant', 'stateDir', 'state', 'maxMessageBytes', 'shutdownTimeout', 'quiet', 'verbose'] as const satisfies readonly OptionId[];

/** What a spec's flags say: its names, the property it sets, and whether it takes a value. */
export interface Flags {
  short?: string;
  long: string;
  /** The property commander sets: `--dry-run` → `dryRun`, `--no-uv` → `uv`. */
  key: string;
  takesValue: boolean;
  variadic: boolean;
  /** `--no-x`: sets x to false, and x defaults to true. */
  negated: boolean;
}

export function flagsOf(spec: OptionSpec): Flags {
  const match = /^(?:(-\w), )?(--[\w-]+)(?: <[\w-]+(\.\.\.)?>)?$/.exec(spec.flags);
  if (!match) throw new Error(`malformed option flags: ${spec.flags}`);
  const long = match[2]!;
  const negated = long.startsWith('--no-');
  const name = negated ? long.slice(5) : long.slice(2);
  return {
    ...(match[1] ? { short: match[1] } : {}),
    long,
    key: name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()),
    takesValue: spec.flags.includes('<'),
    variadic: match[3] !== undefined,
    negated,
  };
}

/** Looks up the spec of `-x` / `--name` among `ids`. */
export function findOption(name: string, ids: readonly OptionId[]): { id: OptionId; spec: OptionSpec; flags: Flags } | undefined {
  for (const id of ids) {
    const spec: OptionSpec = OPTIONS[id];
    const flags = flagsOf(spec);
    if (flags.long === name || flags.short === name) return { id, spec, flags };
  }
  return undefined;
}

/**
 * Where the options before a command line's first operand end: skips the options among `ids`
 * and their values, so that in `-p lint -- node srv` the operand is not `lint`. Returns the
 * index of the first operand or of `--` (argv.length when there is none).
 */
export function firstOperand(argv: readonly string[], ids: readonly OptionId[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--' || !arg.startsWith('-') || arg === '-') return i;
    if (arg.includes('=')) continue;
    const found = findOption(arg, ids);
    if (found?.flags.takesValue) i++;
  }
  return argv.length;
}
