import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../../src/venv/find-executable.js';
import { makeTempDir, removeTempDir } from '../../fixtures/venv/helpers.js';

let work: string;
beforeAll(async () => {
  work = await makeTempDir();
  for (const dir of ['a', 'b', 'win']) await mkdir(path.join(work, dir));
  await writeFile(path.join(work, 'a', 'tool'), '');
  await chmod(path.join(work, 'a', 'tool'), 0o644);
  await writeFile(path.join(work, 'b', 'tool'), '#!/bin/sh\n');
  await chmod(path.join(work, 'b', 'tool'), 0o755);
  await mkdir(path.join(work, 'a', 'dirtool'));
  await writeFile(path.join(work, 'win', 'python.EXE'), '');
});
afterAll(async () => {
  await removeTempDir(work);
});

describe('findExecutable', () => {
  it('returns the first executable file on PATH, skipping non-executable files and directories', async () => {
    const env = { PATH: [path.join(work, 'a'), path.join(work, 'b')].join(':') };
    expect(await findExecutable('tool', { env, platform: 'linux' })).toBe(path.join(work, 'b', 'tool'));
    expect(await findExecutable('dirtool', { env, platform: 'linux' })).toBeUndefined();
    expect(await findExecutable('nothing', { env, platform: 'linux' })).toBeUndefined();
  });

  it('ignores empty and relative PATH entries (they mean the working directory)', async () => {
    expect(await findExecutable('tool', { env: { PATH: `:b:.` }, platform: 'linux' })).toBeUndefined();
  });

  it('applies PATHEXT on Windows, where there is no execute bit', async () => {
    const env = { Path: path.join(work, 'win'), PATHEXT: '.COM;.EXE' };
    expect(await findExecutable('python', { env, platform: 'win32' })).toBe(path.join(work, 'win', 'python.EXE'));
    expect(await findExecutable('python', { env: { ...env, PATHEXT: '.BAT' }, platform: 'win32' })).toBeUndefined();
  });
});
