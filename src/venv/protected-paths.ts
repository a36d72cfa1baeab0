import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { GuardError } from '../errors.js';

/** Why a directory must never be removed wholesale. */
export type ProtectedReason = 'root' | 'home' | 'home-ancestor' | 'cwd' | 'cwd-ancestor';

export interface ProtectedPathContext {
  cwd: string;
  home: string;
  platform?: NodeJS.Platform;
}

function normalise(p: string, platform: NodeJS.Platform): string {
  const resolved = path.resolve(p);
  return platform === 'win32' ? resolved.toLowerCase() : resolved;
}

/** Whether `dir` is `other` or one of its ancestors. */
function isSameOrAncestor(dir: string, other: string): boolean {
  if (dir === other) return true;
  const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
  return other.startsWith(prefix);
}

/** Both spellings of a path: as given (absolute) and with every symlink resolved; they differ when a parent is a link. */
async function spellings(p: string, platform: NodeJS.Platform): Promise<string[]> {
  const lexical = normalise(p, platform);
  const real = await realpath(p).then((r) => normalise(r, platform), () => lexical);
  return real === lexical ? [lexical] : [lexical, real];
}

/**
 * Why removing `dir` would be a disaster, or null when it would not: a filesystem root, the home
 * directory or one of its ancestors, the working directory or one of its ancestors. Every
 * comparison is made on both the given and the symlink-resolved spellings of each path.
 */
export async function protectedReason(dir: string, context: ProtectedPathContext): Promise<ProtectedReason | null> {
  const platform = context.platform ?? process.platform;
  const targets = await spellings(dir, platform);
  const homes = await spellings(context.home, platform);
  const cwds = await spellings(context.cwd, platform);
  for (const target of targets) {
    if (path.parse(target).root.toLowerCase() === target.toLowerCase()) return 'root';
    if (homes.some((home) => home === target)) return 'home';
    if (homes.some((home) => isSameOrAncestor(target, home))) return 'home-ancestor';
    if (cwds.some((cwd) => cwd === target)) return 'cwd';
    if (cwds.some((cwd) => isSameOrAncestor(target, cwd))) return 'cwd-ancestor';
  }
  return null;
}

const WORDS: Record<ProtectedReason, string> = {
  root: 'it is a filesystem root',
  home: 'it is your home directory',
  'home-ancestor': 'it contains your home directory',
  cwd: 'it is the working directory',
  'cwd-ancestor': 'it contains the working directory',
};

/** Throws VENV_PROTECTED_PATH when `dir` is one that must never be removed; `verb` is "delete" or "clear". */
export async function assertNotProtected(dir: string, verb: string, context: ProtectedPathContext): Promise<void> {
  const reason = await protectedReason(dir, context);
  if (reason) {
    throw new GuardError('VENV_PROTECTED_PATH', `refusing to ${verb} ${dir}: ${WORDS[reason]}`, { data: { path: dir, reason } });
  }
}
