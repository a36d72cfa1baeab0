import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { GuardError } from '../errors.js';
import { measureDiskUsage } from './disk-usage.js';
import { scanInstalledPackages } from './installed-packages.js';
import { type VenvDirectory, type VenvLayout, describeNotAVenv, readVenvDirectory, sitePackagesDirs } from './layout.js';
import { type Creator, creatorOf, includesSystemSitePackages, promptOf, pythonVersionOf } from './pyvenv-cfg.js';

/** Everything `venv info` reports (SPEC §8). Paths are reported with whether they exist, never assumed. */
export interface VenvInfo {
  path: string;
  layout: VenvLayout;
  configFile: string;
  python: {
    /** From pyvenv.cfg (`version` or `version_info`). */
    version: string | null;
    /** The venv's own interpreter entry. */
    executable: string;
    executableExists: boolean;
  };
  base: {
    /** pyvenv.cfg `home`: the directory of the interpreter the venv was made from. */
    home: string;
    /** That interpreter (pyvenv.cfg `executable` / `base-executable`, else looked for in `home`); null when none is found. */
    executable: string | null;
    executableExists: boolean;
  };
  includeSystemSitePackages: boolean;
  creator: Creator;
  prompt: string | null;
  sitePackages: string[];
  sizeBytes: number;
  packageCount: number;
  /** Whether `VIRTUAL_ENV` names this venv. */
  active: boolean;
  /** Things wrong with the venv, in words (a dangling interpreter, a missing base). */
  problems: string[];
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then((s) => s.isFile(), () => false);
}

async function samePath(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => path.resolve(a)), realpath(b).catch(() => path.resolve(b))]);
  return process.platform === 'win32' ? ra.toLowerCase() === rb.toLowerCase() : ra === rb;
}

/** The interpreter a venv was made from: the one pyvenv.cfg names, else the likeliest file in `home`. */
async function baseInterpreterOf(venv: VenvDirectory, version: string | null): Promise<{ executable: string | null; exists: boolean }> {
  const named = venv.config.get('executable') ?? venv.config.get('base-executable');
  if (named) return { executable: named, exists: await isFile(named) };
  const home = venv.config.get('home')!;
  const minor = version?.split('.').slice(0, 2).join('.');
  const names = venv.layout === 'windows' ? ['python.exe'] : [...(minor ? [`python${minor}`] : []), 'python3', 'python'];
  for (const name of names) {
    const candidate = path.join(home, name);
    if (await isFile(candidate)) return { executable: candidate, exists: true };
  }
  return { executable: null, exists: false };
}

/** Reads a venv, or throws VENV_NOT_A_VENV / VENV_NOT_FOUND saying why the directory is not one. */
export async function openVenv(target: string, cwd: string): Promise<VenvDirectory> {
  const dir = path.resolve(cwd, target);
  const venv = await readVenvDirectory(dir);
  if ('notAVenv' in venv) {
    if (venv.notAVenv === 'missing') throw new GuardError('VENV_NOT_FOUND', `${target}: no such directory`, { data: { path: dir } });
    throw new GuardError('VENV_NOT_A_VENV', `${target} is not a virtual environment: ${describeNotAVenv(venv.notAVenv)}`, {
      data: { path: dir, reason: venv.notAVenv },
    });
  }
  return venv;
}

/** Gathers every field of `venv info` for the venv at `target` (relative to `cwd`). */
export async function venvInfo(target: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<VenvInfo> {
  const venv = await openVenv(target, options.cwd);
  const version = pythonVersionOf(venv.config);
  const home = venv.config.get('home')!;
  // Measure the real directory: the size of a venv named through a symlink is the venv's, not the link's.
  const [base, sitePackages, usage] = await Promise.all([
    baseInterpreterOf(venv, version),
    sitePackagesDirs(venv.dir),
    realpath(venv.dir).then(measureDiskUsage),
  ]);
  const { packages } = await scanInstalledPackages(sitePackages);
  const problems: string[] = [];
  if (!venv.interpreterExists) problems.push(`its interpreter ${venv.interpreter} leads to no file (was the base Python removed or moved?)`);
  if (!base.exists) problems.push(base.executable ? `its base interpreter ${base.executable} does not exist` : `no base interpreter found in home ${home}`);
  if (sitePackages.length === 0) problems.push('it has no site-packages directory');
  const virtualEnv = options.env.VIRTUAL_ENV;
  return {
    path: venv.dir,
    layout: venv.layout,
    configFile: venv.configFile,
    python: { version, executable: venv.interpreter, executableExists: venv.interpreterExists },
    base: { home, executable: base.executable, executableExists: base.exists },
    includeSystemSitePackages: includesSystemSitePackages(venv.config),
    creator: creatorOf(venv.config),
    prompt: promptOf(venv.config),
    sitePackages,
    sizeBytes: usage.bytes,
    packageCount: packages.length,
    active: virtualEnv !== undefined && virtualEnv !== '' && (await samePath(virtualEnv, venv.dir)),
    problems,
  };
}

/** The installed packages of the venv at `target`, from their metadata. */
export async function venvPackages(target: string, options: { cwd: string }) {
  const venv = await openVenv(target, options.cwd);
  return { path: venv.dir, ...(await scanInstalledPackages(await sitePackagesDirs(venv.dir))) };
}
