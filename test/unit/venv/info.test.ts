import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureDiskUsage } from '../../../src/venv/disk-usage.js';
import { venvInfo, venvPackages } from '../../../src/venv/info.js';
import { makeFakeVenv, makeTempDir, removeTempDir } from '../../fixtures/venv/helpers.js';

let work: string;
let baseHome: string;
beforeAll(async () => {
  work = await makeTempDir();
  // A stand-in base installation, so "exists" can be checked both ways.
  baseHome = path.join(work, 'base', 'bin');
  await mkdir(baseHome, { recursive: true });
  await writeFile(path.join(baseHome, 'python3.12'), '');
});
afterAll(async () => {
  await removeTempDir(work);
});

const uvCfg = (home: string) => `home = ${home}\nimplementation = CPython\nuv = 0.4.18\nversion_info = 3.12.7\ninclude-system-site-packages = true\nprompt = proj\n`;

describe('venvInfo', () => {
  it('reports every field for a uv venv, finding the base interpreter in home', async () => {
    const dir = path.join(work, 'uv');
    const sitePackages = await makeFakeVenv(dir, { cfg: uvCfg(baseHome), packages: [{ name: 'a', version: '1' }, { name: 'b', version: '2' }] });
    const info = await venvInfo('uv', { cwd: work, env: {} });
    expect(info).toEqual({
      path: dir,
      layout: 'posix',
      configFile: path.join(dir, 'pyvenv.cfg'),
      python: { version: '3.12.7', executable: path.join(dir, 'bin', 'python'), executableExists: true },
      base: { home: baseHome, executable: path.join(baseHome, 'python3.12'), executableExists: true },
      includeSystemSitePackages: true,
      creator: { tool: 'uv', version: '0.4.18', command: null },
      prompt: 'proj',
      sitePackages: [sitePackages],
      sizeBytes: (await measureDiskUsage(dir)).bytes,
      packageCount: 2,
      active: false,
      problems: [],
    });
  });

  it('says what is missing instead of reporting paths that do not exist', async () => {
    const dir = path.join(work, 'broken');
    await makeFakeVenv(dir, {
      interpreter: 'dangling-link',
      cfg: `home = ${path.join(work, 'gone')}\nversion = 3.9.1\nexecutable = ${path.join(work, 'gone', 'python3.9')}\n`,
    });
    const info = await venvInfo(dir, { cwd: work, env: {} });
    expect(info.python.executableExists).toBe(false);
    expect(info.base).toEqual({ home: path.join(work, 'gone'), executable: path.join(work, 'gone', 'python3.9'), executableExists: false });
    expect(info.problems).toEqual([
      expect.stringMatching(/^its interpreter .*bin\/python leads to no file/),
      `its base interpreter ${path.join(work, 'gone', 'python3.9')} does not exist`,
    ]);
  });

  it('knows when it is the active VIRTUAL_ENV, through symlinks', async () => {
    const dir = path.join(work, 'active');
    await makeFakeVenv(dir, { cfg: `home = ${baseHome}\n` });
    await symlink(dir, path.join(work, 'active-link'));
    expect((await venvInfo(dir, { cwd: work, env: { VIRTUAL_ENV: path.join(work, 'active-link') } })).active).toBe(true);
    expect((await venvInfo(dir, { cwd: work, env: { VIRTUAL_ENV: path.join(work, 'uv') } })).active).toBe(false);
    expect((await venvInfo(dir, { cwd: work, env: { VIRTUAL_ENV: '' } })).active).toBe(false);
    // Read through the link, it is the same venv, with the same size.
    const throughLink = await venvInfo('active-link', { cwd: work, env: {} });
    expect(throughLink).toMatchObject({ path: path.join(work, 'active-link'), sizeBytes: (await measureDiskUsage(dir)).bytes, packageCount: 0 });
  });

  it('reads a Windows-layout venv', async () => {
    const dir = path.join(work, 'win');
    await makeFakeVenv(dir, { layout: 'windows', cfg: 'home = C:\\Python312\nversion = 3.12.1\n', packages: [{ name: 'x', version: '1' }] });
    const info = await venvInfo(dir, { cwd: work, env: {} });
    expect(info).toMatchObject({ layout: 'windows', python: { executable: path.join(dir, 'Scripts', 'python.exe') }, packageCount: 1, base: { executable: null } });
    expect(info.problems).toEqual(['no base interpreter found in home C:\\Python312']);
  });

  it('refuses what is not a venv, with a code and the reason', async () => {
    await mkdir(path.join(work, 'plain'));
    await expect(venvInfo('plain', { cwd: work, env: {} })).rejects.toMatchObject({
      code: 'VENV_NOT_A_VENV',
      exitCode: 1,
      message: 'plain is not a virtual environment: it has no pyvenv.cfg',
    });
    await expect(venvInfo('nowhere', { cwd: work, env: {} })).rejects.toMatchObject({ code: 'VENV_NOT_FOUND', message: 'nowhere: no such directory' });
  });
});

describe('venvPackages', () => {
  it('lists the packages of a venv by its path', async () => {
    const dir = path.join(work, 'pk');
    await makeFakeVenv(dir, { packages: [{ name: 'Zed', version: '1' }, { name: 'alpha', version: '2', kind: 'egg-info-file' }] });
    const { packages } = await venvPackages(dir, { cwd: work });
    expect(packages.map((p) => [p.name, p.version])).toEqual([
      ['alpha', '2'],
      ['Zed', '1'],
    ]);
  });
});
