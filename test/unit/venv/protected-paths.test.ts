import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNotProtected, protectedReason } from '../../../src/venv/protected-paths.js';
import { makeTempDir, removeTempDir } from '../../fixtures/venv/helpers.js';

let work: string;
let home: string;
let cwd: string;
beforeAll(async () => {
  work = await makeTempDir();
  home = path.join(work, 'home', 'me');
  cwd = path.join(work, 'projects', 'app', 'src');
  await mkdir(home, { recursive: true });
  await mkdir(cwd, { recursive: true });
  await mkdir(path.join(work, 'projects', 'app', '.venv'));
  // A link to the project: the working directory as a shell that cd'd through it spells it.
  await symlink(path.join(work, 'projects'), path.join(work, 'linked-projects'));
});
afterAll(async () => {
  await removeTempDir(work);
});

describe('protectedReason', () => {
  it.each([
    ['/', 'root'],
    ['home/me', 'home'],
    ['home', 'home-ancestor'],
    ['projects/app/src', 'cwd'],
    ['projects/app', 'cwd-ancestor'],
    ['projects', 'cwd-ancestor'],
    ['linked-projects/app', 'cwd-ancestor'],
    ['projects/app/.venv', null],
    ['projects/app/src-other', null],
    ['home/me-too', null],
  ])('%s → %s', async (target, reason) => {
    expect(await protectedReason(path.resolve(work, target), { cwd, home })).toBe(reason);
  });

  it('sees through a working directory spelt through a symlink', async () => {
    const linkedCwd = path.join(work, 'linked-projects', 'app', 'src');
    expect(await protectedReason(path.join(work, 'projects', 'app'), { cwd: linkedCwd, home })).toBe('cwd-ancestor');
    expect(await protectedReason(path.join(work, 'linked-projects', 'app'), { cwd, home })).toBe('cwd-ancestor');
  });

  it('compares case-insensitively on Windows', async () => {
    expect(await protectedReason(path.join(work, 'PROJECTS'), { cwd, home, platform: 'win32' })).toBe('cwd-ancestor');
    expect(await protectedReason(path.join(work, 'PROJECTS'), { cwd, home, platform: 'linux' })).toBeNull();
  });
});

describe('assertNotProtected', () => {
  it('throws VENV_PROTECTED_PATH naming the reason, and passes an ordinary directory', async () => {
    await expect(assertNotProtected(home, 'clear', { cwd, home })).rejects.toMatchObject({
      code: 'VENV_PROTECTED_PATH',
      exitCode: 1,
      data: { reason: 'home' },
      message: `refusing to clear ${home}: it is your home directory`,
    });
    await expect(assertNotProtected(path.join(work, 'projects', 'app', '.venv'), 'delete', { cwd, home })).resolves.toBeUndefined();
  });
});
