import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVenvDirectory, sitePackagesDirs } from '../../../src/venv/layout.js';
import { makeFakeVenv, makeTempDir, removeTempDir } from '../../fixtures/venv/helpers.js';

let work: string;
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(work);
});

describe('readVenvDirectory', () => {
  it('reads a POSIX venv', async () => {
    const dir = path.join(work, 'posix');
    await makeFakeVenv(dir);
    const venv = await readVenvDirectory(dir);
    expect(venv).toMatchObject({ dir, layout: 'posix', interpreter: path.join(dir, 'bin', 'python'), interpreterExists: true, configFile: path.join(dir, 'pyvenv.cfg') });
  });

  it('reads a Windows venv wherever it is read', async () => {
    const dir = path.join(work, 'windows');
    await makeFakeVenv(dir, { layout: 'windows' });
    expect(await readVenvDirectory(dir)).toMatchObject({ layout: 'windows', interpreter: path.join(dir, 'Scripts', 'python.exe') });
  });

  it('counts a dangling interpreter link as an interpreter that does not exist', async () => {
    const dir = path.join(work, 'dangling');
    await makeFakeVenv(dir, { interpreter: 'dangling-link' });
    expect(await readVenvDirectory(dir)).toMatchObject({ layout: 'posix', interpreterExists: false });
  });

  it('finds a versioned interpreter when the plain names are gone', async () => {
    const dir = path.join(work, 'versioned');
    await makeFakeVenv(dir, { interpreter: 'none' });
    await writeFile(path.join(dir, 'bin', 'python3.12'), '');
    expect(await readVenvDirectory(dir)).toMatchObject({ interpreter: path.join(dir, 'bin', 'python3.12') });
  });

  it('says why a directory is not a venv', async () => {
    const plain = path.join(work, 'plain');
    await mkdir(plain);
    const noHome = path.join(work, 'no-home');
    await makeFakeVenv(noHome, { cfg: 'version = 3.11.2\n' });
    const noInterpreter = path.join(work, 'no-interpreter');
    await makeFakeVenv(noInterpreter, { interpreter: 'none' });
    const cfgDir = path.join(work, 'cfg-is-a-dir');
    await mkdir(path.join(cfgDir, 'pyvenv.cfg'), { recursive: true });
    await writeFile(path.join(work, 'file'), '');
    expect(await readVenvDirectory(path.join(work, 'missing'))).toEqual({ notAVenv: 'missing' });
    expect(await readVenvDirectory(path.join(work, 'file'))).toEqual({ notAVenv: 'not-a-directory' });
    expect(await readVenvDirectory(plain)).toEqual({ notAVenv: 'no-pyvenv-cfg' });
    expect(await readVenvDirectory(cfgDir)).toEqual({ notAVenv: 'no-pyvenv-cfg' });
    expect(await readVenvDirectory(noHome)).toEqual({ notAVenv: 'pyvenv-cfg-without-home' });
    expect(await readVenvDirectory(noInterpreter)).toEqual({ notAVenv: 'no-interpreter' });
  });

  it('does not take a pyvenv.cfg that is a symlink to one elsewhere', async () => {
    const dir = path.join(work, 'cfg-link');
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await writeFile(path.join(dir, 'bin', 'python'), '');
    await symlink(path.join(work, 'posix', 'pyvenv.cfg'), path.join(dir, 'pyvenv.cfg'));
    expect(await readVenvDirectory(dir)).toEqual({ notAVenv: 'no-pyvenv-cfg' });
  });
});

describe('sitePackagesDirs', () => {
  it('finds lib/pythonX.Y/site-packages once, even with lib64 linked to lib', async () => {
    const dir = path.join(work, 'lib64');
    const sitePackages = await makeFakeVenv(dir);
    await symlink('lib', path.join(dir, 'lib64'));
    expect(await sitePackagesDirs(dir)).toEqual([sitePackages]);
  });

  it('finds Lib/site-packages in a Windows venv', async () => {
    const dir = path.join(work, 'win-sp');
    const sitePackages = await makeFakeVenv(dir, { layout: 'windows' });
    expect(await sitePackagesDirs(dir)).toEqual([sitePackages]);
  });

  it('finds none in a venv without one', async () => {
    const dir = path.join(work, 'bare');
    await mkdir(dir);
    expect(await sitePackagesDirs(dir)).toEqual([]);
  });
});
