import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
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
  // What the file system said is kept only until the current synchronous run ends: the relay
  // judges a whole chunk of input in one run, before anything in it reaches the server, so nothing
  // a call does can change the answers meanwhile.
  const links = new Map<string, boolean | undefined>();
  let here: { path: string | undefined } | undefined;
  let clearing = false;
  const forgetSoon = () => {
    if (clearing) return;
    clearing = true;
    queueMicrotask(() => {
      links.clear();
      here = undefined;
      clearing = false;
    });
  };
  // Where the working directory is now, as the kernel knows it (getcwd, through realpath of "."):
  // one system call, where walking its path took one per component. Relative paths are judged
  // from there, and, once the directory has been moved, from the path it started at as well
  // (PathEnv.workingDirectory). A test that gives its own working directory walks that path instead.
  const workingDirectory =
    overrides.cwd === undefined
      ? () => {
          if (!here) {
            let now: string | undefined;
            try {
              now = realpathSync.native('.');
            } catch {
              // Removed: nothing relative can be opened there, by the server either.
              now = undefined;
            }
            here = { path: now };
            forgetSoon();
          }
          return here.path;
        }
      : undefined;
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
    ...(workingDirectory ? { workingDirectory } : {}),
  };
}
