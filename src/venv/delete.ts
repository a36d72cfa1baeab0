import { lstat, readlink, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { GuardError } from '../errors.js';
import { measureDiskUsage } from './disk-usage.js';
import { describeNotAVenv, readVenvDirectory } from './layout.js';
import { assertNotProtected } from './protected-paths.js';
import { pythonVersionOf } from './pyvenv-cfg.js';

/** A venv found safe to delete, with what deleting it will free; made by planVenvDeletion, carried out by deleteVenv. */
export interface DeletionPlan {
  /** The absolute path as given. */
  path: string;
  /** The same directory with every symlink in its parents resolved: what is removed. */
  realPath: string;
  pythonVersion: string | null;
  sizeBytes: number;
  /** What deleting frees: `sizeBytes` less what is hard-linked from outside (uv's cache). */
  freedBytes: number;
  /** Identity of the directory when it was checked, so a swap before removal is caught. */
  identity: { dev: number; ino: number };
}

export interface DeletionResult {
  deleted: true;
  path: string;
  pythonVersion: string | null;
  sizeBytes: number;
  freedBytes: number;
}

export interface DeletionContext {
  cwd: string;
  home: string;
}

/**
 * Checks that `target` may be deleted, without touching it: it is not a symlink (a link is never
 * followed into its target), it is a directory that is a venv (pyvenv.cfg with `home` plus an
 * interpreter), and it is not `/`, the home directory, or the working directory or an ancestor.
 */
export async function planVenvDeletion(target: string, context: DeletionContext): Promise<DeletionPlan> {
  const absolute = path.resolve(context.cwd, target);
  const entry = await lstat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new GuardError('VENV_NOT_FOUND', `${target}: no such directory`, { data: { path: absolute } });
    throw new GuardError('VENV_UNREADABLE', `${target}: ${error.code ?? error.message}`, { data: { path: absolute } });
  });
  if (entry.isSymbolicLink()) {
    const pointsTo = await readlink(absolute).catch(() => '?');
    throw new GuardError(
      'VENV_SYMLINK',
      `refusing to delete ${absolute}: it is a symbolic link (to ${pointsTo}); remove the link itself with rm, or name the venv's own path`,
      { data: { path: absolute, target: pointsTo } },
    );
  }
  if (!entry.isDirectory()) throw new GuardError('VENV_NOT_A_VENV', `refusing to delete ${absolute}: it is not a directory`, { data: { path: absolute } });
  const realPath = await realpath(absolute);
  // Protected places first: `delete ~` must say "home directory" even if ~ happened to hold a
  // pyvenv.cfg. Both the given and the symlink-resolved spellings are checked.
  await assertNotProtected(absolute, 'delete', context);
  const venv = await readVenvDirectory(realPath);
  if ('notAVenv' in venv) {
    throw new GuardError('VENV_NOT_A_VENV', `refusing to delete ${absolute}: it is not a virtual environment (${describeNotAVenv(venv.notAVenv)})`, {
      data: { path: absolute, reason: venv.notAVenv },
    });
  }
  const usage = await measureDiskUsage(realPath);
  return {
    path: absolute,
    realPath,
    pythonVersion: pythonVersionOf(venv.config),
    sizeBytes: usage.bytes,
    freedBytes: usage.bytes - usage.sharedBytes,
    identity: { dev: entry.dev, ino: entry.ino },
  };
}

/** Removes a planned venv, after checking the directory is still the one that was checked. */
export async function deleteVenv(plan: DeletionPlan): Promise<DeletionResult> {
  const now = await lstat(plan.realPath).catch(() => null);
  if (!now || now.isSymbolicLink() || !now.isDirectory() || now.dev !== plan.identity.dev || now.ino !== plan.identity.ino) {
    throw new GuardError('VENV_CHANGED', `not deleting ${plan.path}: it changed since it was checked`, { data: { path: plan.path } });
  }
  try {
    await rm(plan.realPath, { recursive: true, maxRetries: 3 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new GuardError('VENV_DELETE_FAILED', `could not delete all of ${plan.path} (${code}); what remains is still there`, {
      data: { path: plan.path },
      cause: error,
    });
  }
  return { deleted: true, path: plan.path, pythonVersion: plan.pythonVersion, sizeBytes: plan.sizeBytes, freedBytes: plan.freedBytes };
}
