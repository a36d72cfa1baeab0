import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { GuardError } from '../errors.js';
import { type CliContext, diagnostic } from './context.js';
import { firstOperand, RUN_OPTIONS } from './options.js';
import { parseRunArgs } from './run-args.js';
import { runCommand } from './run-command.js';

/**
 * Subcommands, each in its own module, loaded only when used: `run` sits on every session's
 * start-up path and must not pay for lint, venv, YAML or SARIF. What `run` needs to start the
 * server is imported statically instead (the fast path below): on a cold Node.js every dynamic
 * import costs a few milliseconds, and the server boots only once it is spawned.
 */
const COMMAND_MODULES: Record<string, () => Promise<{ register: (program: Command, ctx: CliContext) => void }>> = {
  run: () => import('./run.js'),
  lint: () => import('./lint.js'),
  venv: () => import('./venv.js'),
  approvals: () => import('./approvals.js'),
  approve: () => import('./approvals.js'),
  deny: () => import('./approvals.js'),
  init: () => import('./init.js'),
  check: () => import('./check.js'),
  clients: () => import('./clients.js'),
  wrap: () => import('./clients.js'),
  unwrap: () => import('./clients.js'),
  test: () => import('./test.js'),
  replay: () => import('./replay.js'),
  audit: () => import('./audit.js'),
  schema: () => import('./schema.js'),
  pins: () => import('./pins.js'),
};

export const VERSION = '0.1.0';

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. Never exits the process. */
export async function main(argv: string[], io: Partial<Pick<CliContext, 'stdout' | 'stderr'>> = {}): Promise<number> {
  const ownArgs = argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv;
  const ctx: CliContext = {
    stdout: io.stdout ?? process.stdout,
    stderr: io.stderr ?? process.stderr,
    exitCode: 0,
    verbose: ownArgs.includes('--verbose') || ownArgs.includes('-v'),
  };
  // The first operand, skipping the values of run's options: in `-p lint -- node srv`, `lint` is a policy.
  const at = firstOperand(argv, RUN_OPTIONS);
  const first = argv[at];
  const wantsHelp = argv.length === 0 || (first === undefined && argv.some((a) => a === '-h' || a === '--help' || a === '-V' || a === '--version'));
  // `mcp-guard help [command...]` is `[command...] --help`.
  if (at === 0 && first === 'help') {
    const topic = argv[1];
    if (topic !== undefined && !Object.hasOwn(COMMAND_MODULES, topic)) {
      const { nearest } = await import('../policy/checks/suggest.js');
      const guess = nearest(topic, Object.keys(COMMAND_MODULES));
      diagnostic(ctx, `no help for "${topic}": it is not a command${guess ? ` (did you mean ${guess}?)` : ''}; the commands are ${Object.keys(COMMAND_MODULES).join(', ')}`);
      return 2;
    }
    return main([...argv.slice(1).filter((a) => a !== '--help' && a !== '-h'), '--help'], io);
  }
  // `mcp-guard [options] -- <command>` is `run`: insert it so commander sees one grammar.
  const explicit = at === 0 && first !== undefined && first !== '--' && Object.hasOwn(COMMAND_MODULES, first) ? first : undefined;
  const args = explicit || wantsHelp ? argv : ['run', ...argv];
  // `run`'s stdout is the wire, which the session watches itself; its help is output like any other.
  if (wantsHelp || ownArgs.includes('--help') || ownArgs.includes('-h') || (explicit !== undefined && explicit !== 'run')) quietOnClosedPipe(ctx);

  // `mcp-guard lnit x.json` is a typo, not a server called lnit: a server command goes after `--`.
  if (explicit === undefined && first !== undefined && first !== '--' && !wantsHelp) {
    const { nearest } = await import('../policy/checks/suggest.js');
    const guess = nearest(first, Object.keys(COMMAND_MODULES));
    if (guess && !isOnPath(first)) {
      diagnostic(ctx, `unknown command "${first}" (did you mean ${guess}?); to run a server called ${first}, put it after "--"`);
      return 2;
    }
  }

  if (!wantsHelp && (explicit === undefined || explicit === 'run')) {
    const fast = parseRunArgs(argv);
    if (fast) {
      try {
        await runCommand(fast.command, fast.options, ctx);
        return ctx.exitCode;
      } catch (error) {
        return reportError(error, ctx);
      }
    }
  }

  // Everything but a well-formed `run` goes through commander (loaded only now: `run` starts every session).
  const { Command, CommanderError } = await import('commander');
  const program = new Command('mcp-guard')
    .description('A local firewall for MCP servers: relays stdio JSON-RPC and applies a policy to every message.')
    .version(VERSION, '-V, --version')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
      outputError: (s, write) => write(`mcp-guard: ${s.replace(/^error: /, '')}`),
    });
  program.addHelpText(
    'after',
    `
Examples:
  mcp-guard --policy policy.json -- npx -y @modelcontextprotocol/server-everything
  mcp-guard lint policy.json
  mcp-guard check --policy policy.json shell_exec '{"cmd":"ls"}'
  mcp-guard test policy.json
  mcp-guard venv create .venv --packages requests`,
  );

  const names = explicit ? [explicit] : wantsHelp ? Object.keys(COMMAND_MODULES) : ['run'];
  const loaded = new Set<unknown>();
  for (const name of names) {
    const mod = await COMMAND_MODULES[name]!();
    if (loaded.has(mod)) continue;
    loaded.add(mod);
    mod.register(program, ctx);
  }

  if (argv.length === 0) {
    // No server and no command is a bad command line (exit 2); the help goes to stderr so that a
    // client configured this way never reads it as protocol.
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync(args, { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; commander already printed them.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help' ? 0 : 2;
    }
    return reportError(error, ctx);
  }
}

/**
 * Help, lists and reports may go to a pipe that closes early (`mcp-guard --help | head -1`):
 * the rest of the output has nowhere to go, which is not an error worth a stack trace.
 */
function quietOnClosedPipe(ctx: CliContext): void {
  ctx.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') diagnostic(ctx, `could not write the output: ${error.message}`);
  });
  ctx.stderr.on('error', () => undefined);
}

/** Whether `name` is a program the shell would run (so `mcp-guard deno …` is not taken for `deny`). */
function isOnPath(name: string): boolean {
  if (name.includes('/') || name.includes('\\')) return true;
  const extensions = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const ext of extensions) {
      try {
        accessSync(join(dir, name + ext), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

/** The one place errors become exit codes and one-line messages. */
export function reportError(error: unknown, ctx: CliContext): number {
  if (error instanceof GuardError) {
    diagnostic(ctx, error.message);
    if (ctx.verbose && error.stack) ctx.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const err = error as Error;
  diagnostic(ctx, `unexpected error: ${err?.message ?? String(error)}${ctx.verbose ? '' : ' (run with --verbose for details)'}`);
  if (ctx.verbose && err?.stack) ctx.stderr.write(`${err.stack}\n`);
  return 1;
}
