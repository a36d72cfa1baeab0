import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GuardError, UsageError } from '../errors.js';
import { ensureDir } from '../state/ensure-dir.js';

export type PolicyFormat = 'json' | 'yaml';

/** The format a policy file is written in, from its name: `.yaml`/`.yml` is YAML, anything else JSON. */
export function formatForFile(file: string): PolicyFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'json';
}

/**
 * Fails early, before a server is started for nothing, when the file could not be written:
 * it exists (and `force` is not set), or the nearest existing one of its directories is not a
 * directory. Missing directories are fine: `writeNewFile` makes them. It checks again.
 */
export async function checkOutputFile(file: string, force: boolean): Promise<void> {
  const absolute = path.resolve(file);
  const target = await stat(absolute).catch(() => undefined);
  if (target?.isDirectory()) throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: it is a directory`);
  if (target && !force) throw existsError(absolute);
  let dir = path.dirname(absolute);
  for (;;) {
    const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: ${dir}: ${error.code === 'EACCES' ? 'permission denied' : error.message}`);
    });
    if (found && !found.isDirectory()) throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: ${dir} is not a directory`);
    if (found || dir === path.dirname(dir)) return;
    dir = path.dirname(dir);
  }
}

function existsError(absolute: string): UsageError {
  return new UsageError(`${absolute} already exists; pass --force to overwrite it, or choose another file with -o`);
}

/**
 * Writes a new file, and never over an existing one unless `force` is set: a policy someone has
 * edited must not be lost to a second `init`. The exclusive open makes the check and the write one step.
 */
export async function writeNewFile(file: string, text: string, force: boolean): Promise<string> {
  const absolute = path.resolve(file);
  try {
    // One level at a time (ensureDir): Node 20's recursive mkdir spins forever under /proc.
    ensureDir(path.dirname(absolute), 0o777);
    await writeFile(absolute, text, { flag: force ? 'w' : 'wx', mode: 0o644 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw existsError(absolute);
    if (code === 'ENOTDIR') throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: one of its directories is a file`);
    if (code === 'EISDIR') throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: it is a directory`);
    throw new GuardError('OUTPUT_FAILED', `cannot write ${absolute}: ${code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
  return absolute;
}
