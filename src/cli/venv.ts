import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { GuardError } from '../errors.js';
import type { CliContext } from './context.js';
import { withInterruption } from './interrupt.js';
import { type OptionId, pathValue } from './options.js';
import { addOptions } from './register-options.js';
import {
  createProgressReporter,
  formatCreated,
  formatDeleted,
  formatDeletionQuestion,
  formatFreeze,
  formatInfo,
  formatVenvJson,
  formatPackageColumns,
  packagesJson,
} from './venv-output.js';

/** `mcp-guard venv create|delete|info|list`: commander wiring only; the work is in src/venv/. */

interface CommonOptions {
  json?: boolean;
  verbose?: boolean;
}

function isInteractive(ctx: CliContext): boolean {
  return process.stdin.isTTY === true && (ctx.stderr as { isTTY?: boolean }).isTTY === true;
}

/** Asks a yes/no question on the terminal; anything but y/yes (including Ctrl-C and Ctrl-D) is no. */
function confirm(question: string, ctx: CliContext): Promise<boolean> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: ctx.stderr, terminal: true });
    let answered = false;
    const done = (yes: boolean) => {
      if (answered) return;
      answered = true;
      rl.close();
      resolve(yes);
    };
    rl.on('SIGINT', () => {
      ctx.stderr.write('\n');
      done(false);
    });
    rl.on('close', () => done(false));
    rl.question(question, (answer) => done(/^\s*y(?:es)?\s*$/i.test(answer)));
  });
}

/** The command's own options from the table (options.ts), then the ones every venv command has. */
function withCommonOptions(command: Command, own: OptionId[] = []): Command {
  return addOptions(command, [...own, 'json', 'details']);
}

export function register(program: Command, ctx: CliContext): void {
  const venv = program
    .command('venv')
    .description('Manage Python virtual environments: create, delete, info, list')
    .addHelpText(
      'after',
      `
Examples:
  mcp-guard venv create .venv --python 3.12 --packages requests -r requirements.txt
  mcp-guard venv info .venv --json
  mcp-guard venv list .venv --format freeze
  mcp-guard venv delete old-env --yes

Run "mcp-guard venv <command> --help" for the options of each command.`,
    );

  withCommonOptions(
    venv
      .command('create')
      .description('Create a virtual environment, with uv when it is on PATH, else python -m venv')
      .argument('[path]', 'directory of the venv', pathValue, '.venv'),
    ['python', 'packages', 'requirements', 'findLinks', 'noIndex', 'systemSitePackages', 'venvPrompt', 'clear', 'noUv'],
  ).action(
    async (
      target: string,
      opts: CommonOptions & {
        python?: string;
        packages?: string[];
        requirements?: string[];
        findLinks?: string[];
        index: boolean;
        systemSitePackages?: boolean;
        prompt?: string;
        clear?: boolean;
        uv: boolean;
      },
    ) => {
      const { createVenv } = await import('../venv/create.js');
      const verbose = ctx.verbose || opts.verbose === true;
      const progress = createProgressReporter(ctx.stderr, { verbose });
      let ok = false;
      try {
        const result = await withInterruption((signal) =>
          createVenv({
            path: target,
            python: opts.python,
            packages: opts.packages ?? [],
            requirements: opts.requirements ?? [],
            findLinks: opts.findLinks ?? [],
            noIndex: !opts.index,
            systemSitePackages: opts.systemSitePackages === true,
            prompt: opts.prompt,
            clear: opts.clear === true,
            useUv: opts.uv,
            cwd: process.cwd(),
            home: os.homedir(),
            env: process.env,
            signal,
            onProgress: (event) => (event.kind === 'step' ? progress.step(event.message) : progress.output(event.line)),
          }),
        );
        ok = true;
        progress.stop(true);
        ctx.stdout.write(opts.json ? formatVenvJson(result) : formatCreated(result, target));
      } catch (error) {
        // With --verbose the tool's output was already shown line by line; without, say where it is.
        if (error instanceof GuardError && (error.code === 'VENV_TOOL_FAILED' || error.code === 'VENV_INDEX_UNREACHABLE') && !verbose) {
          throw new GuardError(error.code, `${error.message}; --verbose shows its full output`, { exitCode: error.exitCode, data: error.data, cause: error });
        }
        throw error;
      } finally {
        if (!ok) progress.stop(false);
      }
    },
  );

  withCommonOptions(
    venv
      .command('delete')
      .description('Delete a virtual environment, after checking that it is one')
      .argument('<path>', 'directory of the venv', pathValue),
    ['yes'],
  ).action(async (target: string, opts: CommonOptions & { yes?: boolean }) => {
    const { deleteVenv, planVenvDeletion } = await import('../venv/delete.js');
    const plan = await planVenvDeletion(target, { cwd: process.cwd(), home: os.homedir() });
    if (opts.yes !== true) {
      if (!isInteractive(ctx)) {
        throw new GuardError('VENV_CONFIRMATION_REQUIRED', `not deleting ${plan.path} without confirmation: not on a terminal, so pass --yes`, {
          exitCode: 2,
          data: { path: plan.path },
        });
      }
      if (!(await confirm(formatDeletionQuestion(plan), ctx))) {
        throw new GuardError('VENV_NOT_CONFIRMED', `not deleted: ${plan.path}`, { data: { path: plan.path } });
      }
    }
    const result = await deleteVenv(plan);
    ctx.stdout.write(opts.json ? formatVenvJson(result) : formatDeleted(result));
  });

  withCommonOptions(
    venv
      .command('info')
      .description('Show where a virtual environment is, its Python, size, packages and whether it is active')
      .argument('[path]', 'directory of the venv', pathValue, '.venv'),
  ).action(async (target: string, opts: CommonOptions) => {
    const { venvInfo } = await import('../venv/info.js');
    const info = await venvInfo(target, { cwd: process.cwd(), env: process.env });
    ctx.stdout.write(opts.json ? formatVenvJson(info) : formatInfo(info));
  });

  withCommonOptions(
    venv
      .command('list')
      .description("List the packages installed in a virtual environment, read from their metadata (no pip needed)")
      .argument('[path]', 'directory of the venv', pathValue, '.venv'),
    ['listFormat'],
  ).action(async (target: string, opts: CommonOptions & { format: 'columns' | 'freeze' | 'json' }) => {
    const { venvPackages } = await import('../venv/info.js');
    const { packages, problems } = await venvPackages(target, { cwd: process.cwd() });
    if (ctx.verbose || opts.verbose) for (const problem of problems) ctx.stderr.write(`mcp-guard: skipped unreadable metadata: ${problem}\n`);
    const format = opts.json ? 'json' : opts.format;
    ctx.stdout.write(format === 'json' ? formatVenvJson(packagesJson(packages)) : format === 'freeze' ? formatFreeze(packages) : formatPackageColumns(packages));
  });
  const examples: Record<string, string[]> = {
    create: [
      'mcp-guard venv create                                  # .venv, with uv when it is on PATH',
      'mcp-guard venv create .venv --python 3.12 --packages requests "httpx>=0.27"',
      'mcp-guard venv create .venv --no-uv --no-index --find-links ./wheels --packages mypkg',
      'mcp-guard venv create .venv --clear -r requirements.txt  # rebuild an existing venv',
    ],
    delete: ['mcp-guard venv delete .venv          # asks on a terminal', 'mcp-guard venv delete build/env --yes # required when not on a terminal'],
    info: ['mcp-guard venv info', 'mcp-guard venv info ~/projects/app/.venv --json'],
    list: ['mcp-guard venv list', 'mcp-guard venv list .venv --format freeze > requirements.lock', 'mcp-guard venv list --json'],
  };
  for (const command of venv.commands) {
    const lines = examples[command.name()];
    if (lines) command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
}
