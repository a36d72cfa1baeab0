import path from 'node:path';
import { isAscii } from './nfc.js';
import { otherReadings, type ReadingEnv } from './path-readings.js';
import { filePathsOf } from './uri.js';

/**
 * What path resolution needs to know of the file system. The engine reads it through this view
 * and never imports `node:fs` itself (src/policy/host-file-system.ts is the real one), so it stays
 * pure and tests can give it any home and working directory.
 */
export interface PathEnv extends ReadingEnv {
  /** Where `~` points. */
  home: string;
  /** Where `~user` points: that account's home directory, or undefined for an unknown user. Optional: without it, `~user` names nothing. */
  homeOf?(user: string): string | undefined;
  /** Where relative paths start, as a path (the upstream inherits mcp-guard's working directory). */
  cwd: string;
  /** Whether `path` is a symbolic link; undefined when it does not exist or cannot be examined. */
  isSymlink(path: string): boolean | undefined;
  readlink(path: string): string;
  /**
   * An existing entry of the directory `dir` that is `name` under Unicode normalization (NFC) but
   * spelt otherwise, or undefined. Optional: without it, a name that does not exist as written is
   * taken as written.
   */
  equivalentEntry?(dir: string, name: string): string | undefined;
  /**
   * Where the working directory is now, as the kernel knows it (free of symlinks; undefined once
   * it is removed). It is `cwd` until the directory, or one above it, is moved: a server that
   * opens a relative path as it is (Go, C, Python's open) then reaches the moved directory, one
   * that joins it to the path it started in (Node's path.resolve) reaches whatever is at `cwd`
   * now, and both are judged. Optional: without it, relative paths start at `cwd` alone.
   */
  workingDirectory?(): string | undefined;
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
 * `~unknownuser`, a symlink loop) is not inside. A `file:` URI (which many servers accept where a
 * path goes) must be inside both as a relative path and as every path it names (uri.ts), and
 * every other way a server may read the string (path-readings.ts) must be inside too.
 */
export function isPathWithin(candidate: string, roots: string[], env: PathEnv): boolean {
  // Every way a server may read it must be inside: as written, as a `file:` URI, and as read
  // otherwise (path-readings.ts: without white space and quotes at its ends, `\` for `/`, …).
  const readings = typeof candidate === 'string' ? [candidate, ...otherReadings(candidate, env)] : [candidate];
  const spellings = readings.flatMap((reading) => [reading, ...(filePathsOf(reading) ?? [])]);
  const bases = roots.flatMap((root) => resolveLikeTheOs(root, env));
  return spellings.every((spelling) => {
    const readings = resolveLikeTheOs(spelling, env);
    return (
      readings.length > 0 &&
      readings.every((resolved) => bases.some((base) => resolved === base || resolved.startsWith(base.endsWith(path.sep) ? base : base + path.sep)))
    );
  });
}

/**
 * The absolute, symlink-free paths the OS would reach for `input`: one, except for a relative
 * path once the working directory has been moved (see PathEnv.workingDirectory); none when it
 * cannot be known.
 */
export function resolveLikeTheOs(input: string, env: PathEnv): string[] {
  if (typeof input !== 'string' || input === '' || input.includes('\0')) return [];
  let absolute: string;
  if (input === '~' || input.startsWith('~/') || (path.sep === '\\' && input.startsWith('~\\'))) {
    absolute = env.home + path.sep + input.slice(1);
  } else if (input.startsWith('~')) {
    // `~user/...`: that account's home, as shells and Python's expanduser read it (`~me/...` is
    // the user's own home by another name); unknown, or without a way to look it up, none.
    const end = path.sep === '\\' ? input.search(/[\\/]/) : input.indexOf('/');
    const userHome = env.homeOf?.(end === -1 ? input.slice(1) : input.slice(1, end));
    if (userHome === undefined) return [];
    absolute = userHome + path.sep + (end === -1 ? '' : input.slice(end + 1));
  } else if (path.isAbsolute(input)) {
    absolute = input;
  } else {
    if (env.workingDirectory) {
      const here = env.workingDirectory();
      // Still where it was: its path has no symlink in it (it is the kernel's), so nothing to walk.
      if (here === env.cwd) return listed(resolveFrom(here, input, env));
      const moved = here === undefined ? undefined : resolveFrom(here, input, env);
      return [...listed(fromPath(env.cwd + path.sep + input, env)), ...listed(moved)];
    }
    absolute = env.cwd + path.sep + input;
  }
  return listed(fromPath(absolute, env));
}

function listed(resolved: string | undefined): string[] {
  return resolved === undefined ? [] : [resolved];
}

function fromPath(absolute: string, env: PathEnv): string | undefined {
  if (!path.isAbsolute(absolute)) return undefined;
  const root = path.parse(absolute).root;
  return resolveFrom(root, absolute.slice(root.length), env);
}

/** `relative` resolved from `start`, a directory that exists and is free of symlinks. */
function resolveFrom(start: string, relative: string, env: PathEnv): string | undefined {
  // The common case, cheaply: a name with no separator (most string arguments are not paths at
  // all) is the directory plus the name, unless the name is itself a symlink.
  if (relative !== '.' && relative !== '..' && !relative.includes('/') && !(path.sep === '\\' && relative.includes('\\'))) {
    const next = start + (start.endsWith(path.sep) ? '' : path.sep) + relative;
    const isLink = env.isSymlink(next);
    // Missing as written, a name that is not ASCII may still be an entry spelt otherwise (see walk).
    if (isLink === false || (isLink === undefined && !(env.equivalentEntry && !isAscii(relative)))) return next;
  }
  try {
    return walk(start, relative, env, { links: 0 }).path;
  } catch (error) {
    if (error instanceof SymlinkLoop) return undefined;
    throw error;
  }
}

function components(relative: string): string[] {
  return relative.split(path.sep === '\\' ? /[\\/]/ : '/');
}

/** Walks `relative` from `start` (existing, symlink-free), one component at a time. */
function walk(start: string, relative: string, env: PathEnv, state: { links: number }): { path: string; exists: boolean } {
  let current = start;
  // Once a component does not exist, the rest is taken as written: kept as components and joined
  // once at the end. (Joining the path at every component made a long one cost its length
  // squared: a call with 160 paths of 2,000 components each took 18 s to judge.)
  let tail: string[] | undefined;
  for (const part of components(relative)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (tail !== undefined && tail.length > 0) tail.pop();
      // `current` is already free of symlinks, so its lexical parent is its real parent.
      else current = path.dirname(current);
      continue;
    }
    if (tail !== undefined) {
      tail.push(part);
      continue;
    }
    let next = joined(current, part);
    let isLink = env.isSymlink(next);
    if (isLink === undefined && env.equivalentEntry && !isAscii(part)) {
      // Not there as written, but `cafe\u0301` or `\u212Aeep` is opened as the existing `café` or
      // `Keep` by macOS and by servers that look a missing name up among the existing ones (and
      // `café` as an existing `cafe\u0301`): the walk goes on from that entry, following it if it
      // is a link. An ASCII name is not looked up (a listing per string would cost every call):
      // an entry named with a Kelvin sign is found only by a name that is not ASCII either.
      const entry = env.equivalentEntry(current, part);
      if (entry !== undefined) {
        next = joined(current, entry);
        isLink = env.isSymlink(next);
      }
    }
    if (isLink === undefined) {
      // ENOENT, ENOTDIR, EACCES: from here on the path is taken as written.
      tail = [part];
      continue;
    }
    if (!isLink) {
      current = next;
      continue;
    }
    if (++state.links > MAX_SYMLINKS) throw new SymlinkLoop();
    const target = env.readlink(next);
    const targetAbsolute = path.isAbsolute(target) ? target : current + path.sep + target;
    const root = path.parse(targetAbsolute).root;
    const reached = walk(root, targetAbsolute.slice(root.length), env, state);
    current = reached.path;
    if (!reached.exists) tail = [];
  }
  if (tail === undefined) return { path: current, exists: true };
  return { path: tail.length === 0 ? current : joined(current, tail.join(path.sep)), exists: false };
}

/** `dir` (absolute and normalised) and a relative path with no `.` or `..` in it, joined as path.join would. */
function joined(dir: string, rest: string): string {
  return dir.endsWith(path.sep) ? dir + rest : dir + path.sep + rest;
}
