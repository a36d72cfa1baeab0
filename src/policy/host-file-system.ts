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
  // Whether a path is a symlink is kept only until the current synchronous run ends: the relay
  // judges a whole chunk of input in one run, before anything in it reaches the server, so nothing
  // a call does can change the answers meanwhile.
  const links = new Map<string, boolean | undefined>();
  let clearing = false;
  const forgetSoon = () => {
    if (clearing) return;
    clearing = true;
    queueMicrotask(() => {
      links.clear();
      clearing = false;
    });
  };
  // The working directory's resolution is kept for the life of the process. The server resolves a
  // relative name against its working directory itself (the inode it inherited), not against that
  // directory's path: walking the path again would not follow a rename any better, and cost a
  // system call per component for every message (several microseconds each after an idle pause).
  const dirs = new Map<string, { path: string; exists: boolean }>();
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
        // A directory that does not exist yet is looked at again next time.
        if (known.exists) dirs.set(key, known);
      }
      return known;
    },
  };
}
