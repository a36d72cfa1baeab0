/**
 * How a server entry that starts mcp-guard is laid out, read from its command and args alone:
 * which args are mcp-guard's own options, which policy they name, and where the real server's
 * command starts. `wrap` writes one such form; people write others by hand, and all of them count
 * as guarded.
 */

/** The shell `wrap` puts in front of a Windows `.cmd` server: `/d` skips AutoRun commands, which could write to stdout. */
export const WINDOWS_SHELL = ['cmd', '/d', '/c'] as const;

export interface GuardForm {
  /** How mcp-guard is started: installed command, `node <script>`, or npx by its npm name (unsafe; recognised only to unwrap it). */
  launcher: 'command' | 'node' | 'npx';
  /** Index in args of mcp-guard's first option. */
  optionsStart: number;
  /** Index in args of the `--` that ends mcp-guard's options; undefined when there is none. */
  separator: number | undefined;
  /** The policy mcp-guard is told to use, as written; undefined when it discovers one. */
  policy: string | undefined;
  /** Index in args of the element holding the policy (`--policy=P` or the value after `--policy`). */
  policyIndex: number | undefined;
  /** Index in args of the real server's command (after `--`, and after a shell `wrap` added). */
  serverCommand: number | undefined;
  /** Whether `wrap` put WINDOWS_SHELL in front of the server's command. */
  shellAdded: boolean;
}

/** A program's name without its folder, Windows extension or case: `C:\\nodejs\\node.exe` is `node`. */
export function programName(command: string): string {
  const base = command.split(/[\\/]/).pop() ?? command;
  return base.replace(/\.(exe|cmd|bat|ps1)$/i, '').toLowerCase();
}

function isGuardProgram(word: string | undefined): boolean {
  if (word === undefined) return false;
  const name = programName(word);
  return name === 'mcp-guard' || name === 'mcp-guard.js';
}

/** Where mcp-guard's options start, when `command args` starts mcp-guard at all. */
function findOptionsStart(command: string, args: readonly string[], offset = 0): Pick<GuardForm, 'launcher' | 'optionsStart'> | undefined {
  const name = programName(command);
  if (isGuardProgram(command)) return { launcher: 'command', optionsStart: offset };
  if (name === 'node' && isGuardProgram(args[offset])) return { launcher: 'node', optionsStart: offset + 1 };
  if (name === 'npx') {
    let i = offset;
    while (i < args.length && /^(-y|--yes|-q|--quiet)$/.test(args[i]!)) i++;
    if (/^mcp-guard(@.*)?$/.test(args[i] ?? '')) return { launcher: 'npx', optionsStart: i + 1 };
    return undefined;
  }
  if (name === 'cmd') {
    let i = offset;
    while (i < args.length && /^\/[dsq]$/i.test(args[i]!)) i++;
    if (!/^\/[ck]$/i.test(args[i] ?? '') || args[i + 1] === undefined) return undefined;
    return findOptionsStart(args[i + 1]!, args, i + 2);
  }
  return undefined;
}

/** Reads the guard form of a server's `command` and `args`; undefined when it does not start mcp-guard. */
export function readGuardForm(command: string, args: readonly string[]): GuardForm | undefined {
  const start = findOptionsStart(command, args);
  if (!start) return undefined;
  let i = start.optionsStart;
  if (args[i] === 'run') i++;
  let policy: string | undefined;
  let policyIndex: number | undefined;
  let separator: number | undefined;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      separator = i;
      break;
    }
    if ((arg === '--policy' || arg === '-p') && i + 1 < args.length) {
      policyIndex = i + 1;
      policy = args[++i];
    } else if (arg.startsWith('--policy=')) {
      policyIndex = i;
      policy = arg.slice('--policy='.length);
    }
  }
  let serverCommand = separator === undefined || separator + 1 >= args.length ? undefined : separator + 1;
  let shellAdded = false;
  if (serverCommand !== undefined && WINDOWS_SHELL.every((word, k) => args[serverCommand! + k] === word) && serverCommand + WINDOWS_SHELL.length < args.length) {
    serverCommand += WINDOWS_SHELL.length;
    shellAdded = true;
  }
  return { ...start, separator, policy, policyIndex, serverCommand, shellAdded };
}

/** Commands that are `.cmd` scripts on Windows, which a process cannot start without a shell. */
export function needsWindowsShell(command: string): boolean {
  if (/\.(cmd|bat)$/i.test(command)) return true;
  return ['npx', 'npm', 'pnpm', 'pnpx', 'yarn', 'yarnpkg'].includes(programName(command)) && !/\.exe$/i.test(command);
}
