import { randomBytes } from 'node:crypto';
import { chmod, open, readFile, realpath, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { GuardError } from '../errors.js';

export interface WrittenConfig {
  /** The file written (a symlinked config is written through to its target). */
  file: string;
  /** The copy of the file as it was before. */
  backup: string;
}

/**
 * Replaces a config file's text with `next`, atomically: a timestamped backup of the old text
 * next to it, then the new text in a temporary file in the same folder, renamed over the old one,
 * so the client never reads half a file. Refuses, writing nothing, when the file no longer holds
 * `expected` (the text the edit was made from): the client, or the person, changed it meanwhile.
 */
export async function writeConfigFile(file: string, expected: string, next: string, now: Date): Promise<WrittenConfig> {
  const target = await realpath(file);
  await assertUnchanged(file, target, expected);
  const mode = (await stat(target)).mode & 0o7777;
  const backup = await writeBackup(target, expected, mode, now);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.mcp-guard-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeDurably(temporary, next, mode, 'wx');
    // Checked again right before the rename: the window in which a change is lost is this one step.
    await assertUnchanged(file, target, expected);
    await rename(temporary, target);
  } catch (error) {
    // The file itself was not touched, so its backup is not needed either.
    await unlink(temporary).catch(() => undefined);
    await unlink(backup).catch(() => undefined);
    throw error;
  }
  return { file: target, backup };
}

async function assertUnchanged(file: string, target: string, expected: string): Promise<void> {
  const current = await readFile(target, 'utf8').catch(() => undefined);
  if (current !== expected) {
    throw new GuardError('CONFIG_CHANGED', `${file} changed after mcp-guard read it (the client or an editor wrote it); nothing was written: run the command again`, {
      data: { file },
    });
  }
}

/** `<file>.<UTC time>.mcp-guard.bak`, with `-2`, `-3`... when one from the same second exists. */
async function writeBackup(target: string, text: string, mode: number, now: Date): Promise<string> {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  for (let n = 1; ; n++) {
    const backup = `${target}.${stamp}${n === 1 ? '' : `-${n}`}.mcp-guard.bak`;
    try {
      await writeDurably(backup, text, mode, 'wx');
      return backup;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError(backup, error);
    }
  }
}

async function writeDurably(file: string, text: string, mode: number, flag: 'wx'): Promise<void> {
  let handle;
  try {
    handle = await open(file, flag, mode);
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw error;
    throw writeError(file, error);
  } finally {
    await handle?.close();
  }
  // The mode given to open() passes through the umask; the copy must be as private as the original.
  await chmod(file, mode);
}

function writeError(file: string, error: unknown): GuardError {
  const code = (error as NodeJS.ErrnoException).code;
  return new GuardError('CONFIG_WRITE_FAILED', `cannot write ${file}: ${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message}`, { cause: error });
}
