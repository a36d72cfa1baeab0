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
  return {
    home: overrides.home ?? homedir(),
    cwd: overrides.cwd ?? process.cwd(),
    isSymlink(path) {
      try {
        return lstatSync(path).isSymbolicLink();
      } catch {
        return undefined;
      }
    },
    readlink: (path) => readlinkSync(path),
  };
}
