import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` when the policy file changes, whether it is written in place or replaced by an
 * editor's write-then-rename save: the directory is watched, not the file's inode.
 */
export function watchPolicyFile(file: string, onChange: () => void, debounceMs = 75): () => void {
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
    watcher.on('error', () => undefined);
  } catch {
    // Hot reload is a convenience; a directory that cannot be watched leaves the loaded policy in force.
  }
  return () => {
    if (timer) clearTimeout(timer);
    watcher?.close();
  };
}
