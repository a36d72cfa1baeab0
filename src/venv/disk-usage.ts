import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

export interface DiskUsage {
  /** Space the tree takes on disk, each hard-linked file counted once. */
  bytes: number;
  /** The part of `bytes` held by files that also have hard links outside the tree (uv links from its cache): deleting the tree does not free it. */
  sharedBytes: number;
  /** Files, directories and links in the tree, the root included. */
  entries: number;
}

/** Space an entry takes: allocated blocks where the platform reports them (what `du` counts), else its length. */
function spaceOf(info: { blocks: number; size: number }): number {
  return process.platform === 'win32' || !Number.isFinite(info.blocks) ? info.size : info.blocks * 512;
}

/**
 * Measures a directory tree without following symlinks (a link counts as itself, never as what it
 * points to, so a venv's `python` link does not add the base interpreter).
 */
export async function measureDiskUsage(root: string): Promise<DiskUsage> {
  const inodes = new Map<string, { bytes: number; nlink: number; seen: number }>();
  let entries = 0;
  const visit = async (entry: string): Promise<void> => {
    let info;
    try {
      info = await lstat(entry);
    } catch {
      return; // vanished while we looked: it takes no space
    }
    entries++;
    const key = `${info.dev}:${info.ino}`;
    const known = inodes.get(key);
    if (known && info.ino !== 0) {
      known.seen++;
    } else {
      inodes.set(info.ino === 0 ? `${key}:${entries}` : key, { bytes: spaceOf(info), nlink: info.isDirectory() ? 1 : info.nlink, seen: 1 });
    }
    if (!info.isDirectory()) return;
    let names: string[];
    try {
      names = await readdir(entry);
    } catch {
      return;
    }
    await Promise.all(names.map((name) => visit(path.join(entry, name))));
  };
  await visit(root);
  let bytes = 0;
  let sharedBytes = 0;
  for (const inode of inodes.values()) {
    bytes += inode.bytes;
    if (inode.nlink > inode.seen) sharedBytes += inode.bytes;
  }
  return { bytes, sharedBytes, entries };
}
