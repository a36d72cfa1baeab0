import { type FSWatcher, realpathSync, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface WatchOptions {
  /** How long the file must stay unchanged before it is read (SPEC §2: 500 ms by default). */
  settleMs?: number;
  now?: () => number;
}

/**
 * Calls `onChange` once the policy file has changed and then stayed unchanged for the settle
 * period, whether it is written in place (even in two parts, 400 ms apart) or replaced by an
 * editor's write-then-rename save: the directory is watched, not the file's inode. A symlinked
 * policy is followed: the directory of its target is watched too, and re-resolved after every
 * change, so re-pointing the link is a change as well.
 */
export function watchPolicyFile(file: string, onChange: () => void, options: WatchOptions = {}): () => void {
  const settleMs = options.settleMs ?? 500;
  const now = options.now ?? Date.now;
  const watchers = new Map<string, FSWatcher>();
  /** Directory → the names in it that matter (the policy, or a link or target on its way). */
  let wanted = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const schedule = (delay: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fire, delay);
  };
  const fire = () => {
    timer = undefined;
    if (stopped) return;
    // A change the watcher did not report (or reported early) still has to settle.
    const age = now() - modifiedAt(file);
    if (age < settleMs) return schedule(settleMs - age);
    follow();
    onChange();
  };
  /** Watches the directories of the file and of every link on the way to its target. */
  const follow = () => {
    wanted = new Map();
    for (const path of chain(file)) {
      const names = wanted.get(dirname(path)) ?? new Set<string>();
      names.add(basename(path));
      wanted.set(dirname(path), names);
    }
    for (const [dir, watcher] of watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        watchers.delete(dir);
      }
    }
    for (const dir of wanted.keys()) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, changed) => {
          if (changed !== null && !wanted.get(dir)?.has(changed.toString())) return;
          schedule(settleMs);
        });
        watcher.on('error', () => undefined);
        watchers.set(dir, watcher);
      } catch {
        // Hot reload is a convenience; a directory that cannot be watched leaves the loaded policy in force.
      }
    }
  };
  follow();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}

/** The file, then each symlink target in turn, as far as they resolve. */
function chain(file: string): string[] {
  const out = [file];
  try {
    const real = realpathSync(file);
    if (real !== file) out.push(real);
  } catch {
    // Not there (mid-save): the file's own directory is watched.
  }
  return out;
}

/** When the file (followed through links) last changed; 0 when it cannot be read, which counts as settled. */
function modifiedAt(file: string): number {
  try {
    const st = statSync(file);
    return Math.max(st.mtimeMs, st.ctimeMs);
  } catch {
    return 0;
  }
}
