import { statSync, type Stats } from 'node:fs';
import { stateInsecure } from './state-errors.js';

/** What the check needs from the file system and the process; tests pass their own. */
export interface OwnershipEnv {
  stat(path: string): Pick<Stats, 'uid' | 'mode'> | undefined;
  /** The effective user id; undefined where there is none (Windows): nothing is checked there. */
  uid: number | undefined;
}

export const hostOwnershipEnv: OwnershipEnv = {
  stat(path) {
    try {
      return statSync(path);
    } catch (error) {
      // Not there (or under something that is not a directory): nothing to check; opening it will
      // fail and the calls that need it are refused.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
  },
  uid: process.geteuid?.(),
};

/**
 * Refuses a state dir or database file that another user owns, or that its group or every user
 * may write (SPEC §9), as ssh refuses such keys: whoever can write it can reset the counters and
 * answer approvals. A path that does not exist yet passes (it is created 0700 / 0600).
 */
export function checkStatePath(path: string, what: 'dir' | 'file', env: OwnershipEnv = hostOwnershipEnv): void {
  if (env.uid === undefined) return;
  const st = env.stat(path);
  if (!st) return;
  const name = what === 'dir' ? 'state dir' : 'state database';
  const fix = what === 'dir' ? `chmod 700 ${shellQuote(path)}` : `chmod 600 ${shellQuote(path)}`;
  if (st.uid !== env.uid) {
    throw stateInsecure(
      `the ${name} ${path} belongs to another user (uid ${st.uid}, you are uid ${env.uid}), who could change its counters and approvals; choose another --state-dir, or make it yours (chown)`,
      path,
    );
  }
  const writable = st.mode & 0o022;
  if (writable !== 0) {
    const who = writable === 0o022 ? 'its group and every user' : writable === 0o002 ? 'every user' : 'its group';
    throw stateInsecure(
      `the ${name} ${path} is writable by ${who} (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}), who could change its counters and approvals; run: ${fix}   (or choose another --state-dir)`,
      path,
    );
  }
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
