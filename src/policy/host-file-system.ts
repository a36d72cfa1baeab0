import { lstatSync, readlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import type { PathEnv } from './engine/path-within.js';

let shared: PathEnv | undefined;

/**
 * The real file system, home and working directory, as the engine's path resolution sees them.
 * Without overrides it is one shared object, so validators compiled while checking a policy are
 * reused when it is compiled for judging.
 */
export function hostFileSystem(overrides: Partial<Pick<PathEnv, 'home' | 'cwd'>> = {}): PathEnv {
  if (overrides.home === undefined && overrides.cwd === undefined) return (shared ??= make({}));
  return make(overrides);
}

function make(overrides: Partial<Pick<PathEnv, 'home' | 'cwd'>>): PathEnv {
  // What the file system said, kept only until the current synchronous run ends: the relay judges a
  // whole chunk of input in one run, before anything in it reaches the server, so nothing a call
  // does can change the answers meanwhile; and the directories every path starts with (the working
  // directory's) are looked at once per chunk instead of once per string.
  const links = new Map<string, boolean | undefined>();
  const dirs = new Map<string, { path: string; exists: boolean }>();
  let clearing = false;
  const forgetSoon = () => {
    if (clearing) return;
    clearing = true;
    queueMicrotask(() => {
      links.clear();
      dirs.clear();
      clearing = false;
    });
  };
  return {
    home: overrides.home ?? homedir(),
    cwd: overrides.cwd ?? process.cwd(),
    isSymlink(path) {
      if (links.has(path)) return links.get(path);
      let answer: boolean | undefined;
      try {
        // Not there is the common case (most strings are not paths): no exception is built for it.
        answer = lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink();
      } catch {
        answer = undefined;
      }
      links.set(path, answer);
      forgetSoon();
      return answer;
    },
    readlink: (path) => readlinkSync(path),
    remember(key, compute) {
      let known = dirs.get(key);
      if (!known) {
        known = compute();
        dirs.set(key, known);
        forgetSoon();
      }
      return known;
    },
  };
}
