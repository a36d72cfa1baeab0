import path from 'node:path';
import { filePathsOf } from './uri.js';

/**
 * What path resolution needs to know of the file system. The engine reads it through this view
 * and never imports `node:fs` itself (src/policy/host-file-system.ts is the real one), so it stays
 * pure and tests can give it any home and working directory.
 */
export interface PathEnv {
  /** Where `~` points. */
  home: string;
  /** Where relative paths start (the upstream inherits mcp-guard's). */
  cwd: string;
  /** Whether `path` is a symbolic link; undefined when it does not exist or cannot be examined. */
  isSymlink(path: string): boolean | undefined;
  readlink(path: string): string;
  /**
   * Remembers the working directory's resolution (the host keeps it for the life of the process,
   * see host-file-system.ts), so a relative name costs one look at the file system, not one per
   * component of the working directory. Optional; without it every path is walked whole.
   */
  remember?(key: string, compute: () => { path: string; exists: boolean }): { path: string; exists: boolean };
}

/** Linux gives up after 40 links in one lookup (MAXSYMLINKS); so do we, and a loop is "not inside". */
const MAX_SYMLINKS = 40;

class SymlinkLoop extends Error {}

/**
 * SPEC §3 `x-path-within`: whether `candidate`, resolved as the operating system would resolve
 * it, lies inside (or is) one of `roots`. `~` is expanded and relative paths are taken from the
 * working directory. The path is walked one component at a time, following each existing
 * symlink before applying the `..` after it — collapsing `..` first (as `path.resolve` does)
 * would let `/allowed/link-to-etc/../x` pass for `/allowed/x` while the OS opens `/etc/../x`.
 * Components that do not exist yet are taken as written. Anything unresolvable (a NUL byte,
 * `~otheruser`, a symlink loop) is not inside. A `file:` URI (which many servers accept where a
 * path goes) must be inside both as a relative path and as every path it names (uri.ts).
 */
export function isPathWithin(candidate: string, roots: string[], env: PathEnv): boolean {
  const asUri = filePathsOf(candidate) ?? [];
  return [candidate, ...asUri].every((spelling) => {
    const resolved = resolveLikeTheOs(spelling, env);
    if (resolved === undefined) return false;
    return roots.some((root) => {
      const base = resolveLikeTheOs(root, env);
      if (base === undefined) return false;
      return resolved === base || resolved.startsWith(base.endsWith(path.sep) ? base : base + path.sep);
    });
  });
}

/** The absolute, symlink-free path the OS would reach for `input`, or undefined when it cannot be known. */
export function resolveLikeTheOs(input: string, env: PathEnv): string | undefined {
  if (typeof input !== 'string' || input === '' || input.includes('\0')) return undefined;
  let absolute: string;
  if (input === '~' || input.startsWith('~/') || (path.sep === '\\' && input.startsWith('~\\'))) {
    absolute = env.home + path.sep + input.slice(1);
  } else if (input.startsWith('~')) {
    // `~user/...`: another account's home, which shells and Python's expanduser would expand.
    return undefined;
  } else {
    absolute = path.isAbsolute(input) ? input : env.cwd + path.sep + input;
  }
  if (!path.isAbsolute(absolute)) return undefined;
  try {
    return (quickWalk(input, env) ?? walk(path.parse(absolute).root, absolute, env, { links: 0 })).path;
  } catch (error) {
    if (error instanceof SymlinkLoop) return undefined;
    throw error;
  }
}

/**
 * The common case, cheaply: a relative name with no separator (most string arguments are not
 * paths at all) is the working directory's resolution (remembered) plus the name, unless the
 * name is itself a symlink. Anything else is walked whole.
 */
function quickWalk(input: string, env: PathEnv): { path: string; exists: boolean } | undefined {
  if (!env.remember || input === '.' || input === '..' || input.includes('/') || (path.sep === '\\' && input.includes('\\')) || path.isAbsolute(input)) return undefined;
  const cwd = env.remember(env.cwd, () => walk(path.parse(env.cwd).root, env.cwd, env, { links: 0 }));
  if (!cwd.exists) return undefined;
  const next = cwd.path + (cwd.path.endsWith(path.sep) ? '' : path.sep) + input;
  const isLink = env.isSymlink(next);
  if (isLink === true) return undefined;
  return { path: next, exists: isLink !== undefined };
}

function components(p: string): string[] {
  return p.slice(path.parse(p).root.length).split(path.sep === '\\' ? /[\\/]/ : '/');
}

function walk(start: string, absolute: string, env: PathEnv, state: { links: number }): { path: string; exists: boolean } {
  let current = start;
  let exists = true;
  for (const part of components(absolute)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // `current` is already free of symlinks, so its lexical parent is its real parent.
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, part);
    if (!exists) {
      current = next;
      continue;
    }
    const isLink = env.isSymlink(next);
    if (isLink === undefined) {
      // ENOENT, ENOTDIR, EACCES: from here on the path is taken as written.
      exists = false;
      current = next;
      continue;
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++state.links > MAX_SYMLINKS) throw new SymlinkLoop();
    const target = env.readlink(next);
    const targetAbsolute = path.isAbsolute(target) ? target : current + path.sep + target;
    ({ path: current, exists } = walk(path.parse(targetAbsolute).root, targetAbsolute, env, state));
  }
  return { path: current, exists };
}
