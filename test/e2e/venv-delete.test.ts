/**
 * `mcp-guard venv delete` refusals, end to end: each one exits non-zero with one line and leaves
 * the filesystem exactly as it was. The venvs here are directories laid out like venvs (that is
 * all delete looks at), so every case runs in a fraction of a second.
 */
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, makeFakeVenv, makeTempDir, removeTempDir, runCli, snapshot } from '../fixtures/venv/helpers.js';

let work: string;

beforeAll(async () => {
  assertBuilt();
  work = await makeTempDir();
});

afterAll(async () => {
  if (work) await removeTempDir(work);
});

/** Runs delete and checks the refusal: exit code, one line on stderr matching `message`, nothing on stdout, `watched` unchanged. */
async function expectRefusal(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; watched: string; exitCode?: number; message: RegExp }) {
  const before = await snapshot(options.watched);
  const run = await runCli(['venv', 'delete', ...args], { cwd: options.cwd, env: options.env });
  expect(run.exitCode).toBe(options.exitCode ?? 1);
  expect(run.stdout).toBe('');
  expect(run.stderr.split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(options.message);
  expect(await snapshot(options.watched)).toEqual(before);
}

describe('venv delete refuses', () => {
  it('a directory that is not a venv', async () => {
    const dir = path.join(work, 'not-a-venv');
    await mkdir(path.join(dir, 'bin'), { recursive: true });
    await writeFile(path.join(dir, 'bin', 'python'), '');
    await writeFile(path.join(dir, 'notes.txt'), 'keep me');
    await expectRefusal(['not-a-venv', '--yes'], { cwd: work, watched: dir, message: /^mcp-guard: refusing to delete .*not-a-venv: it is not a virtual environment \(it has no pyvenv\.cfg\)$/ });
  });

  it('a directory with a pyvenv.cfg but no interpreter', async () => {
    const dir = path.join(work, 'cfg-only');
    await mkdir(dir);
    await writeFile(path.join(dir, 'pyvenv.cfg'), 'home = /usr/bin\n');
    await expectRefusal([dir, '--yes'], { cwd: work, watched: dir, message: /it is not a virtual environment \(it has a pyvenv\.cfg but no Python interpreter/ });
  });

  it('a file', async () => {
    await writeFile(path.join(work, 'a-file'), 'x');
    await expectRefusal(['a-file', '--yes'], { cwd: work, watched: path.join(work, 'a-file'), message: /^mcp-guard: refusing to delete .*a-file: it is not a directory$/ });
  });

  it('a path that does not exist', async () => {
    await expectRefusal(['missing', '--yes'], { cwd: work, watched: work, message: /^mcp-guard: missing: no such directory$/ });
  });

  it('/', async () => {
    await expectRefusal(['/', '--yes'], { cwd: work, watched: work, message: /^mcp-guard: refusing to delete \/: it is a filesystem root$/ });
  });

  it('the home directory, even when it looks like a venv', async () => {
    const home = path.join(work, 'home');
    await makeFakeVenv(home);
    await expectRefusal([home, '--yes'], { cwd: work, env: { HOME: home }, watched: home, message: /^mcp-guard: refusing to delete .*home: it is your home directory$/ });
  });

  it('an ancestor of the home directory', async () => {
    const parent = path.join(work, 'users');
    await makeFakeVenv(parent);
    await mkdir(path.join(parent, 'me'));
    await expectRefusal(['users', '--yes'], { cwd: work, env: { HOME: path.join(parent, 'me') }, watched: parent, message: /it contains your home directory$/ });
  });

  it('the working directory, and its ancestors', async () => {
    const venv = path.join(work, 'cwd-venv');
    await makeFakeVenv(venv);
    await expectRefusal(['.', '--yes'], { cwd: venv, watched: venv, message: /^mcp-guard: refusing to delete .*cwd-venv: it is the working directory$/ });
    await expectRefusal(['..', '--yes'], { cwd: path.join(venv, 'bin'), watched: venv, message: /^mcp-guard: refusing to delete .*cwd-venv: it contains the working directory$/ });
    await expectRefusal([venv, '--yes'], { cwd: path.join(venv, 'lib', 'python3.11'), watched: venv, message: /it contains the working directory$/ });
  });

  it('a symlink, without following it into its target', async () => {
    const venv = path.join(work, 'real-venv');
    await makeFakeVenv(venv);
    await symlink(venv, path.join(work, 'venv-link'));
    await expectRefusal(['venv-link', '--yes'], {
      cwd: work,
      watched: work,
      message: new RegExp(`^mcp-guard: refusing to delete .*venv-link: it is a symbolic link \\(to ${venv.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`),
    });
  });

  it('without --yes when not on a terminal (exit 2)', async () => {
    const venv = path.join(work, 'needs-yes');
    await makeFakeVenv(venv);
    await expectRefusal(['needs-yes'], { cwd: work, watched: venv, exitCode: 2, message: /^mcp-guard: not deleting .*needs-yes without confirmation: not on a terminal, so pass --yes$/ });
  });

  it('with a usage error (exit 2) when the path is missing', async () => {
    const run = await runCli(['venv', 'delete', '--yes'], { cwd: work });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe("mcp-guard: missing required argument 'path'");
  });
});

describe('venv delete removes', () => {
  it('a venv (POSIX layout) and reports it', async () => {
    const venv = path.join(work, 'posix-venv');
    await makeFakeVenv(venv, { packages: [{ name: 'demo', version: '1.0' }] });
    const run = await runCli(['venv', 'delete', 'posix-venv', '--yes'], { cwd: work });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^Deleted virtual environment .*posix-venv: freed \d+\.\d KiB$/);
    expect(existsSync(venv)).toBe(false);
  });

  it('a venv (Windows layout) whose interpreter link dangles', async () => {
    const venv = path.join(work, 'win-venv');
    await makeFakeVenv(venv, { layout: 'windows', interpreter: 'dangling-link' });
    const run = await runCli(['venv', 'delete', 'win-venv', '--yes', '--json'], { cwd: work });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ deleted: true, path: venv, pythonVersion: '3.11.2' });
    expect(existsSync(venv)).toBe(false);
  });

  it('a venv reached through a symlinked parent, removing the venv and not the link', async () => {
    const real = path.join(work, 'real-parent');
    await makeFakeVenv(path.join(real, '.venv'));
    await symlink(real, path.join(work, 'linked-parent'));
    const run = await runCli(['venv', 'delete', 'linked-parent/.venv', '--yes'], { cwd: work });
    expect(run.exitCode).toBe(0);
    expect(existsSync(path.join(real, '.venv'))).toBe(false);
    expect(existsSync(path.join(work, 'linked-parent'))).toBe(true);
  });
});
