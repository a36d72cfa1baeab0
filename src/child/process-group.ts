import type { ChildProcess } from 'node:child_process';

/**
 * Signalling a child's process group. A server started through `npx`, `sh -c` or any wrapper
 * is a tree of processes; started in its own group (POSIX `detached`), the whole tree is one
 * `kill(-pgid)` away, whatever the wrapper does with signals. Windows has no process groups:
 * there the direct child is signalled.
 */

const POSIX = process.platform !== 'win32';

/** Groups (by their leader) that may still have members; killed if mcp-guard exits first. */
const live = new Map<number, ChildProcess>();

/** Whether children are started in a group of their own (`spawn`'s `detached`). */
export const OWN_GROUP = POSIX;

/**
 * Sends `signal` to the child's group. Returns false when nothing of the group is left to
 * signal (ESRCH), and forgets the group then.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals | 0): boolean {
  const pid = child.pid;
  if (pid === undefined) return false;
  if (!POSIX) {
    if (signal !== 0) child.kill(signal);
    return child.exitCode === null && child.signalCode === null;
  }
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') {
      live.delete(pid);
      return false;
    }
    // EPERM: a member we may not signal (it changed user); the rest were signalled.
    return true;
  }
}

/** Whether any process of the child's group is still there. */
export function groupAlive(child: ChildProcess): boolean {
  return signalGroup(child, 0);
}

/** Remembers the group, so that it is killed if mcp-guard exits while it may still be running. */
export function trackGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (live.size === 0) process.on('exit', killAllGroups);
  live.set(child.pid, child);
}

/** Forgets the group once it is gone. */
export function untrackGroup(child: ChildProcess): void {
  if (child.pid !== undefined) live.delete(child.pid);
  if (live.size === 0) process.off('exit', killAllGroups);
}

/**
 * Nothing started by mcp-guard outlives it: on its way out (the `exit` event, or before a signal
 * is let through to end it), whatever is left is killed.
 */
export function killAllGroups(): void {
  for (const child of [...live.values()]) signalGroup(child, 'SIGKILL');
  live.clear();
}
