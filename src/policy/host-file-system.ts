import { lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { nfc } from './engine/nfc.js';
import type { PathEnv } from './engine/path-within.js';

let shared: PathEnv | undefined;

/** Bumped whenever the server may have acted: what the file system said before is not kept past it. */
let epoch = 0;

/**
 * The server was just given messages to act on (the relay wrote to it): every answer the file
 * system gave before may be out of date, so none is used again. The relay writes part of a long
 * chunk while the rest is still being judged, and a call in that part may have made a link that a
 * later call in the chunk names.
 */
export function serverMayHaveActed(): void {
  epoch++;
}

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
  // What the file system said is kept only until the current synchronous run ends, or the relay
  // writes to the server, whichever comes first: until then nothing a call does can change the
  // answers (the server has not been given it yet).
  const links = new Map<string, boolean | undefined>();
  // A directory's entries by their NFC form (the first of several with one form), or null when it cannot be read.
  const listings = new Map<string, Map<string, string> | null>();
  let here: { path: string | undefined } | undefined;
  let clearing = false;
  let seen = epoch;
  const forget = () => {
    links.clear();
    listings.clear();
    here = undefined;
  };
  const forgetSoon = () => {
    if (clearing) return;
    clearing = true;
    queueMicrotask(() => {
      forget();
      clearing = false;
    });
  };
  const current = () => {
    if (seen === epoch) return;
    seen = epoch;
    forget();
  };
  // Where the working directory is now, as the kernel knows it (getcwd, through realpath of "."):
  // one system call, where walking its path took one per component. Relative paths are judged
  // from there, and, once the directory has been moved, from the path it started at as well
  // (PathEnv.workingDirectory). A test that gives its own working directory walks that path instead.
  const workingDirectory =
    overrides.cwd === undefined
      ? () => {
          current();
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
  const home = overrides.home ?? homedir();
  return {
    home,
    homeOf: homeOfUser,
    // The server inherits mcp-guard's environment; $HOME is the home the paths are judged with.
    variable: (name) => {
      if (name === 'HOME') return home;
      // Own variables only: `${constructor}` is not Object's.
      const value = Object.hasOwn(process.env, name) ? process.env[name] : undefined;
      return typeof value === 'string' ? value : undefined;
    },
    cwd: overrides.cwd ?? process.cwd(),
    isSymlink(path) {
      current();
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
    equivalentEntry(dir, name) {
      current();
      let byForm = listings.get(dir);
      if (byForm === undefined) {
        try {
          byForm = new Map();
          for (const entry of readdirSync(dir)) {
            const form = nfc(entry);
            if (!byForm.has(form)) byForm.set(form, entry);
          }
        } catch {
          byForm = null;
        }
        listings.set(dir, byForm);
        forgetSoon();
      }
      const entry = byForm?.get(nfc(name));
      return entry === name ? undefined : entry;
    },
    ...(workingDirectory ? { workingDirectory } : {}),
  };
}

let accounts: Map<string, string> | undefined;

/**
 * The home directory of the account `user`, as `~user` is expanded: the current user's from the
 * system (getpwuid, as Python's expanduser asks for it), any other from /etc/passwd, read once.
 * Undefined for an account neither knows (or where there is no /etc/passwd, as on Windows).
 */
function homeOfUser(user: string): string | undefined {
  try {
    const me = userInfo();
    if (me.username === user) return me.homedir;
  } catch {
    // No entry for the current uid (a container's arbitrary user): only /etc/passwd is left.
  }
  if (accounts === undefined) {
    accounts = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const fields = line.split(':');
        if (fields.length >= 6 && fields[0] && !accounts.has(fields[0])) accounts.set(fields[0], fields[5]!);
      }
    } catch {
      // Unreadable or absent: no other account is known.
    }
  }
  return accounts.get(user);
}
