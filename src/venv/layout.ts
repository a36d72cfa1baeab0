import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { type PyvenvConfig, parsePyvenvCfg } from './pyvenv-cfg.js';

/**
 * Where things live inside a venv. Decided by what is on disk, not by the host platform, so a
 * Windows venv (`Scripts\python.exe`, `Lib\site-packages`) is recognised wherever it is read.
 */
export type VenvLayout = 'posix' | 'windows';

export interface VenvDirectory {
  /** Absolute path of the venv directory. */
  dir: string;
  layout: VenvLayout;
  configFile: string;
  config: PyvenvConfig;
  /** The venv's interpreter entry (often a symlink to the base interpreter). */
  interpreter: string;
  /** Whether the interpreter entry leads to an existing file (a dangling symlink does not). */
  interpreterExists: boolean;
}

/** Why a directory is not a venv, for messages; `null` when it is one. */
export type NotAVenvReason = 'missing' | 'not-a-directory' | 'no-pyvenv-cfg' | 'pyvenv-cfg-without-home' | 'no-interpreter';

const POSIX_INTERPRETERS = ['python', 'python3', 'pypy3', 'pypy'];
const WINDOWS_INTERPRETERS = ['python.exe', 'pythonw.exe', 'pypy3.exe', 'pypy.exe'];

async function lstatOrNull(file: string) {
  try {
    return await lstat(file);
  } catch {
    return null;
  }
}

async function leadsToFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** The interpreter entry of a venv: a file or a symlink (even a dangling one) in `bin/` or `Scripts\`. */
async function findInterpreter(dir: string): Promise<{ path: string; layout: VenvLayout } | null> {
  for (const name of POSIX_INTERPRETERS) {
    const entry = await lstatOrNull(path.join(dir, 'bin', name));
    if (entry && (entry.isFile() || entry.isSymbolicLink())) return { path: path.join(dir, 'bin', name), layout: 'posix' };
  }
  // `python3.12` and friends, for venvs whose plain `python` link was removed.
  try {
    const names = await readdir(path.join(dir, 'bin'));
    const versioned = names.filter((name) => /^(?:python|pypy)\d+(?:\.\d+)*$/.test(name)).sort();
    if (versioned[0]) return { path: path.join(dir, 'bin', versioned[0]), layout: 'posix' };
  } catch {
    // no bin/: try the Windows layout
  }
  for (const name of WINDOWS_INTERPRETERS) {
    const entry = await lstatOrNull(path.join(dir, 'Scripts', name));
    if (entry && (entry.isFile() || entry.isSymbolicLink())) return { path: path.join(dir, 'Scripts', name), layout: 'windows' };
  }
  return null;
}

/**
 * Reads a directory as a venv: `pyvenv.cfg` (a regular file with a `home` key, as PEP 405 requires)
 * plus an interpreter in `bin/` or `Scripts\`. Returns the reason when it is not one. Reading
 * follows a symlink at `dir`; callers about to change something check `dir` with lstat first.
 */
export async function readVenvDirectory(dir: string): Promise<VenvDirectory | { notAVenv: NotAVenvReason }> {
  const self = await stat(dir).catch(() => null);
  if (!self) return { notAVenv: 'missing' };
  if (!self.isDirectory()) return { notAVenv: 'not-a-directory' };
  const configFile = path.join(dir, 'pyvenv.cfg');
  const cfgStat = await lstatOrNull(configFile);
  if (!cfgStat || !cfgStat.isFile()) return { notAVenv: 'no-pyvenv-cfg' };
  const config = parsePyvenvCfg(await readFile(configFile, 'utf8'));
  if (!config.get('home')) return { notAVenv: 'pyvenv-cfg-without-home' };
  const interpreter = await findInterpreter(dir);
  if (!interpreter) return { notAVenv: 'no-interpreter' };
  return {
    dir,
    layout: interpreter.layout,
    configFile,
    config,
    interpreter: interpreter.path,
    interpreterExists: await leadsToFile(interpreter.path),
  };
}

/** Words for a NotAVenvReason, completing "X is not a virtual environment: ...". */
export function describeNotAVenv(reason: NotAVenvReason): string {
  switch (reason) {
    case 'missing':
      return 'it does not exist';
    case 'not-a-directory':
      return 'it is not a directory';
    case 'no-pyvenv-cfg':
      return 'it has no pyvenv.cfg';
    case 'pyvenv-cfg-without-home':
      return 'its pyvenv.cfg has no "home" key';
    case 'no-interpreter':
      return 'it has a pyvenv.cfg but no Python interpreter in bin/ or Scripts\\';
  }
}

/**
 * The venv's own site-packages directories: `lib/pythonX.Y/site-packages` (and `lib64/`, often a
 * symlink to `lib/`) on POSIX, `Lib\site-packages` on Windows; de-duplicated by real path.
 */
export async function sitePackagesDirs(dir: string): Promise<string[]> {
  const candidates: string[] = [];
  for (const lib of ['lib', 'lib64']) {
    let names: string[];
    try {
      names = await readdir(path.join(dir, lib));
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (/^(?:python|pypy)\d/.test(name)) candidates.push(path.join(dir, lib, name, 'site-packages'));
    }
  }
  candidates.push(path.join(dir, 'Lib', 'site-packages'));
  // Old PyPy venvs keep site-packages at the top.
  candidates.push(path.join(dir, 'site-packages'));
  const seen = new Set<string>();
  const found: string[] = [];
  for (const candidate of candidates) {
    let real: string;
    try {
      if (!(await stat(candidate)).isDirectory()) continue;
      real = await realpath(candidate);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    found.push(candidate);
  }
  return found;
}
