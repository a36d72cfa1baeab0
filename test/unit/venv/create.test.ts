import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreateVenvOptions, createVenv } from '../../../src/venv/create.js';
import { makeFakeVenv, makeTempDir, removeTempDir, snapshot } from '../../fixtures/venv/helpers.js';

// The refusals create makes before it runs anything; the real creates are in test/e2e/venv.test.ts.
let work: string;
beforeAll(async () => {
  work = await makeTempDir();
});
afterAll(async () => {
  await removeTempDir(work);
});

const options = (overrides: Partial<CreateVenvOptions>): CreateVenvOptions => ({
  path: '.venv',
  packages: [],
  requirements: [],
  findLinks: [],
  noIndex: false,
  systemSitePackages: false,
  clear: false,
  useUv: false,
  cwd: work,
  home: path.join(work, 'home'),
  // No interpreter on PATH: a refusal that came too late would fail with PYTHON_NOT_FOUND instead.
  env: { PATH: '' },
  ...overrides,
});

async function expectRefusal(overrides: Partial<CreateVenvOptions>, expected: { code: string; exitCode?: number; message?: string | RegExp }) {
  const before = await snapshot(work);
  const error = await createVenv(options(overrides)).catch((e: unknown) => e);
  expect(error).toMatchObject({ code: expected.code, exitCode: expected.exitCode ?? 1 });
  if (expected.message) expect((error as Error).message).toMatch(expected.message);
  expect(await snapshot(work)).toEqual(before);
}

describe('createVenv refuses, touching nothing', () => {
  it('a directory that is already a venv, without --clear', async () => {
    await makeFakeVenv(path.join(work, 'existing'));
    await expectRefusal({ path: 'existing' }, { code: 'VENV_EXISTS', message: 'existing is already a virtual environment; pass --clear to recreate it' });
  });

  it('a non-empty directory that is not a venv, with or without --clear', async () => {
    await mkdir(path.join(work, 'src'));
    await writeFile(path.join(work, 'src', 'main.py'), 'print(1)\n');
    await expectRefusal({ path: 'src' }, { code: 'VENV_NOT_A_VENV', message: /the directory is not empty and is not a virtual environment \(it has no pyvenv\.cfg\)$/ });
    await expectRefusal({ path: 'src', clear: true }, { code: 'VENV_NOT_A_VENV', message: /--clear only recreates an existing venv$/ });
  });

  it('a file in the way', async () => {
    await writeFile(path.join(work, 'a-file'), '');
    await expectRefusal({ path: 'a-file' }, { code: 'VENV_PATH_EXISTS' });
  });

  it('a path under a file', async () => {
    await expectRefusal({ path: 'a-file/.venv' }, { code: 'VENV_PATH_EXISTS', message: /one of its parents is a file$/ });
  });

  it('a symlink, even to a venv, even with --clear', async () => {
    await symlink(path.join(work, 'existing'), path.join(work, 'link'));
    await expectRefusal({ path: 'link', clear: true }, { code: 'VENV_SYMLINK' });
  });

  it('--clear on the working directory or one of its ancestors', async () => {
    const venv = path.join(work, 'cwd-venv');
    await makeFakeVenv(venv);
    await expectRefusal({ path: '.', clear: true, cwd: venv }, { code: 'VENV_PROTECTED_PATH', message: /it is the working directory$/ });
    await expectRefusal({ path: '..', clear: true, cwd: path.join(venv, 'bin') }, { code: 'VENV_PROTECTED_PATH', message: /it contains the working directory$/ });
  });

  it('--clear on the home directory', async () => {
    await makeFakeVenv(path.join(work, 'home'));
    await expectRefusal({ path: 'home', clear: true }, { code: 'VENV_PROTECTED_PATH', message: /it is your home directory$/ });
  });

  it('a package that would be read as an installer option (exit 2)', async () => {
    await expectRefusal({ path: 'new', packages: ['ok', '--index-url=http://example.invalid'] }, { code: 'USAGE', exitCode: 2, message: /a package cannot start with "-"/ });
  });

  it('a prompt with a line break (exit 2)', async () => {
    await expectRefusal({ path: 'new', prompt: 'a\nb' }, { code: 'USAGE', exitCode: 2 });
  });

  it('a requirements file that does not exist', async () => {
    await expectRefusal({ path: 'new', requirements: ['nope.txt'] }, { code: 'REQUIREMENTS_NOT_FOUND', message: '-r nope.txt: no such file' });
  });

  it('when no interpreter can be found, before making anything', async () => {
    await expectRefusal({ path: 'new/deeper' }, { code: 'PYTHON_NOT_FOUND' });
  });
});
