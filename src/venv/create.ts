import { lstat, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { GuardError, UsageError } from '../errors.js';
import { ensureDir } from '../state/ensure-dir.js';
import { findExecutable } from './find-executable.js';
import { type VenvInfo, venvInfo } from './info.js';
import { describeNotAVenv, readVenvDirectory } from './layout.js';
import { assertNotProtected } from './protected-paths.js';
import { type PythonInterpreter, resolvePython } from './resolve-python.js';
import { ToolCancelledError, runTool } from './run-tool.js';

export interface CreateVenvOptions {
  /** Where the venv goes, relative to `cwd`. */
  path: string;
  /** `--python`: a path, a command name or a version; undefined for python3 on PATH. */
  python?: string;
  /** Requirement specifiers or local files (wheels, sdists, project directories) to install. */
  packages: string[];
  /** Requirements files (`-r`). */
  requirements: string[];
  /** Extra places to find distributions (`--find-links`): directories of wheels or URLs. */
  findLinks: string[];
  /** Do not consult the package index (`--no-index`). */
  noIndex: boolean;
  systemSitePackages: boolean;
  prompt?: string;
  /** Recreate a directory that is already a venv. */
  clear: boolean;
  /** Use uv when it is on PATH (false for `--no-uv`). */
  useUv: boolean;
  cwd: string;
  home: string;
  env: NodeJS.ProcessEnv;
  /** Aborting it stops the running tool and undoes the create. */
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent = { kind: 'step'; message: string } | { kind: 'output'; line: string };

export type Backend = 'uv' | 'venv';

export interface CreateVenvResult {
  created: true;
  backend: Backend;
  interpreter: PythonInterpreter;
  /** What was asked to be installed: packages, then `-r` files. */
  installed: { packages: string[]; requirements: string[] };
  /** Whether an existing venv was replaced (`--clear`). */
  cleared: boolean;
  info: VenvInfo;
}

/** What was at the target before we started, which decides how a failure is undone. */
type Before =
  | { kind: 'absent'; createdParents: string[] }
  | { kind: 'empty-directory' }
  | { kind: 'venv'; movedTo?: string };

function checkUsage(options: CreateVenvOptions): void {
  for (const spec of options.packages) {
    // Installer options go through our own flags; a package that starts with `-` would be read as one.
    if (spec.startsWith('-')) throw new UsageError(`--packages ${spec}: a package cannot start with "-"; use --find-links, --no-index or -r for installer options`);
    if (spec.trim() === '') throw new UsageError('--packages: empty package name');
  }
  if (options.prompt !== undefined && /[\r\n]/.test(options.prompt)) throw new UsageError('--prompt cannot contain a line break');
}

async function checkRequirementFiles(options: CreateVenvOptions): Promise<void> {
  for (const file of options.requirements) {
    const info = await stat(path.resolve(options.cwd, file)).catch(() => null);
    if (!info?.isFile()) {
      throw new GuardError('REQUIREMENTS_NOT_FOUND', `-r ${file}: ${info ? 'not a file' : 'no such file'}`, { data: { file } });
    }
  }
}

/** Works out what is at the target now and refuses anything create must not touch. */
async function inspectTarget(dir: string, shown: string, options: CreateVenvOptions): Promise<Before> {
  const entry = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    if (error.code === 'ENOTDIR') throw new GuardError('VENV_PATH_EXISTS', `cannot create a venv at ${dir}: one of its parents is a file`, { data: { path: dir } });
    throw new GuardError('VENV_UNREADABLE', `${shown}: ${error.code ?? error.message}`, { data: { path: dir } });
  });
  if (!entry) {
    const createdParents: string[] = [];
    for (let parent = path.dirname(dir); parent !== path.dirname(parent); parent = path.dirname(parent)) {
      if (await lstat(parent).then(() => true, () => false)) break;
      createdParents.push(parent);
    }
    return { kind: 'absent', createdParents };
  }
  if (entry.isSymbolicLink()) {
    throw new GuardError('VENV_SYMLINK', `refusing to create a venv at ${dir}: it is a symbolic link; name a real directory`, { data: { path: dir } });
  }
  if (!entry.isDirectory()) throw new GuardError('VENV_PATH_EXISTS', `refusing to create a venv at ${dir}: a file is in the way`, { data: { path: dir } });
  const venv = await readVenvDirectory(dir);
  if (!('notAVenv' in venv)) {
    if (!options.clear) {
      throw new GuardError('VENV_EXISTS', `${shown} is already a virtual environment; pass --clear to recreate it`, { data: { path: dir } });
    }
    await assertNotProtected(dir, 'clear', { cwd: options.cwd, home: options.home });
    return { kind: 'venv' };
  }
  if ((await readdir(dir)).length === 0) return { kind: 'empty-directory' };
  throw new GuardError(
    'VENV_NOT_A_VENV',
    `refusing to create a venv in ${dir}: the directory is not empty and is not a virtual environment (${describeNotAVenv(venv.notAVenv)})${options.clear ? '; --clear only recreates an existing venv' : ''}`,
    { data: { path: dir, reason: venv.notAVenv } },
  );
}

/** A sibling name for the old venv while its replacement is built, so a failed `--clear` can put it back. */
function asideName(dir: string): string {
  return path.join(path.dirname(dir), `.${path.basename(dir)}.mcp-guard-old-${process.pid}-${Date.now().toString(36)}`);
}

/** Puts things back as they were after a failed or interrupted create. Returns what could not be undone. */
async function undo(dir: string, before: Before): Promise<string | null> {
  try {
    if (before.kind === 'empty-directory') {
      for (const name of await readdir(dir).catch(() => [])) await rm(path.join(dir, name), { recursive: true, force: true, maxRetries: 3 });
      return null;
    }
    // A venv that was never moved aside is still the user's: nothing of ours is at `dir`.
    if (before.kind === 'venv' && !before.movedTo) return null;
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    if (before.kind === 'absent') {
      // Parents we made, deepest first, and only while empty.
      for (const parent of before.createdParents) await rmdir(parent).catch(() => undefined);
    }
    if (before.kind === 'venv' && before.movedTo) await rename(before.movedTo, dir);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return before.kind === 'venv' && before.movedTo
      ? `the old venv is kept at ${before.movedTo} (${code})`
      : `could not remove all of ${dir} (${code})`;
  }
}

function installCommand(backend: Backend, venvPython: string, options: CreateVenvOptions): { file: string; args: string[]; label: string } | null {
  if (options.packages.length === 0 && options.requirements.length === 0) return null;
  const sources = [...options.findLinks.flatMap((dir) => ['--find-links', dir]), ...(options.noIndex ? ['--no-index'] : [])];
  const targets = [...options.requirements.flatMap((file) => ['-r', file]), ...options.packages];
  return backend === 'uv'
    ? { file: 'uv', args: ['pip', 'install', '--python', venvPython, ...sources, ...targets], label: 'uv pip install' }
    : {
        file: venvPython,
        args: ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', ...sources, ...targets],
        label: 'pip install',
      };
}

/**
 * Creates a venv with `uv venv` (when uv is on PATH and allowed) or `python -m venv`, then installs
 * packages with `uv pip install` or the venv's own pip. Refuses to touch a directory that is not
 * a venv; `--clear` moves the old venv aside and removes it only once the new one is complete.
 * Any failure, or an abort, removes what was made and restores what was there.
 */
export async function createVenv(options: CreateVenvOptions): Promise<CreateVenvResult> {
  checkUsage(options);
  await checkRequirementFiles(options);
  const dir = path.resolve(options.cwd, options.path);
  const before = await inspectTarget(dir, options.path, options);
  const interpreter = await resolvePython(options.python, { cwd: options.cwd, env: options.env, signal: options.signal });
  const uv = options.useUv ? await findExecutable('uv', { env: options.env }) : undefined;
  const backend: Backend = uv ? 'uv' : 'venv';
  const progress = options.onProgress ?? (() => undefined);
  const tool = (file: string, args: string[], label: string) =>
    runTool({ file, args, label, cwd: options.cwd, env: options.env, signal: options.signal, onLine: (line) => progress({ kind: 'output', line }) });

  const stopIfAborted = () => {
    if (options.signal?.aborted) throw new ToolCancelledError('venv create');
  };
  // Whether anything on disk has changed yet: before that, a failure has nothing to undo.
  let started = false;
  try {
    stopIfAborted();
    started = true;
    if (before.kind === 'venv') {
      const aside = asideName(dir);
      await rename(dir, aside);
      // Only now is there something to put back: if the rename failed, undo must leave `dir` alone.
      before.movedTo = aside;
    }
    // One level at a time: a recursive mkdir spins forever on some paths (under /proc) on Node 20.
    if (before.kind === 'absent' && before.createdParents.length > 0) ensureDir(path.dirname(dir), 0o777);
    progress({ kind: 'step', message: `creating ${options.path} with Python ${interpreter.version} (${backend === 'uv' ? 'uv venv' : 'python -m venv'})` });
    const flags = [...(options.systemSitePackages ? ['--system-site-packages'] : []), ...(options.prompt !== undefined ? ['--prompt', options.prompt] : [])];
    if (backend === 'uv') await tool(uv!, ['venv', '--python', interpreter.executable, ...flags, dir], 'uv venv');
    else await tool(interpreter.executable, ['-m', 'venv', ...flags, dir], 'python -m venv');
    stopIfAborted();

    const made = await readVenvDirectory(dir);
    if ('notAVenv' in made) {
      throw new GuardError('VENV_CREATE_FAILED', `${backend === 'uv' ? 'uv venv' : 'python -m venv'} finished but ${options.path} is not a venv (${describeNotAVenv(made.notAVenv)})`);
    }
    const install = installCommand(backend, made.interpreter, options);
    if (install) {
      const count = options.packages.length + options.requirements.length;
      const what = options.requirements.length === 0 ? `${count} package${count === 1 ? '' : 's'}` : `${options.packages.length} package(s) and ${options.requirements.length} requirements file(s)`;
      progress({ kind: 'step', message: `installing ${what} with ${install.label}` });
      await tool(install.file === 'uv' ? uv! : install.file, install.args, install.label);
      stopIfAborted();
    }
  } catch (error) {
    const changed = started && !(before.kind === 'venv' && !before.movedTo);
    if (changed) progress({ kind: 'step', message: `removing the unfinished venv at ${options.path}` });
    const leftover = changed ? await undo(dir, before) : null;
    const restored = before.kind === 'venv' && before.movedTo && !leftover ? '; the old venv is back in place' : '';
    const tail = leftover ? `; ${leftover}` : restored;
    // On a terminal, Ctrl-C reaches the tool too, and it may die of it before the abort lands.
    if (error instanceof ToolCancelledError || options.signal?.aborted) {
      const what = changed ? `removed the unfinished venv at ${options.path}${tail}` : 'nothing was changed';
      throw new GuardError('VENV_INTERRUPTED', `interrupted: ${what}`, { exitCode: 130, cause: error });
    }
    const outcome = leftover ? tail : ` (nothing left behind${restored})`;
    if (error instanceof GuardError) {
      throw new GuardError(error.code, `${error.message}${outcome}`, { exitCode: error.exitCode, data: error.data, cause: error });
    }
    // A filesystem error of our own (moving the old venv aside, making a parent directory).
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GuardError('VENV_CREATE_FAILED', `could not create ${options.path} (${code})${outcome}`, { cause: error });
  }

  let oldVenvProblem: string | null = null;
  if (before.kind === 'venv' && before.movedTo) {
    await rm(before.movedTo, { recursive: true, force: true, maxRetries: 3 }).catch((error: NodeJS.ErrnoException) => {
      oldVenvProblem = `could not remove the old venv at ${before.movedTo} (${error.code ?? error.message})`;
    });
  }
  const info = await venvInfo(dir, { cwd: options.cwd, env: options.env });
  if (oldVenvProblem) info.problems.push(oldVenvProblem);
  return {
    created: true,
    backend,
    interpreter,
    installed: { packages: options.packages, requirements: options.requirements },
    cleared: before.kind === 'venv',
    info,
  };
}
