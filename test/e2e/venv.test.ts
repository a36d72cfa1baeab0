/**
 * `mcp-guard venv` end to end: the built CLI as a real process, making real venvs with the
 * machine's python3 (`--no-uv`), installing wheels this file builds (no package index here).
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, FAKE_UV_DIR, assertBuilt, buildWheel, makeTempDir, removeTempDir, runCli, snapshot } from '../fixtures/venv/helpers.js';

const SLOW = 120_000;
let work: string;
let wheels: string;
let tinyaWheel: string;
let pythonVersion: string;

beforeAll(async () => {
  assertBuilt();
  work = await makeTempDir();
  wheels = path.join(work, 'wheels');
  tinyaWheel = await buildWheel(wheels, 'tinya', '0.1.0', 'tinyb>=0.2');
  await buildWheel(wheels, 'tinyb', '0.2.0');
  await buildWheel(wheels, 'Tiny.C', '0.3.0');
  await writeFile(path.join(work, 'requirements.txt'), '# pinned\nTiny.C==0.3.0\n');
  pythonVersion = (await execa('python3', ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'])).stdout.trim();
});

afterAll(async () => {
  if (work) await removeTempDir(work);
});

describe('venv with python -m venv (--no-uv)', () => {
  const venv = () => path.join(work, 'project', '.venv');

  it(
    'creates a venv, installs a wheel path, its dependency from --find-links and a -r file, and reports it as JSON',
    async () => {
      const run = await runCli(
        ['venv', 'create', 'project/.venv', '--no-uv', '--prompt', 'tiny env', '--packages', tinyaWheel, '--find-links', wheels, '--no-index', '-r', 'requirements.txt', '--json'],
        // A uv on PATH that --no-uv must leave alone.
        { cwd: work, env: { PATH: `${FAKE_UV_DIR}${path.delimiter}${process.env.PATH}`, FAKE_UV_LOG: path.join(work, 'no-uv.log') } },
      );
      expect(existsSync(path.join(work, 'no-uv.log'))).toBe(false);
      expect(run.stderr).toContain('mcp-guard: creating project/.venv with Python');
      expect(run.stderr).toContain('mcp-guard: installing 1 package(s) and 1 requirements file(s) with pip install');
      expect(run.exitCode).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({
        created: true,
        backend: 'venv',
        cleared: false,
        interpreter: { version: pythonVersion },
        info: { path: venv(), prompt: 'tiny env', layout: 'posix', creator: { tool: 'venv' }, packageCount: 5, problems: [] },
      });
      const imported = await execa(path.join(venv(), 'bin', 'python'), ['-c', 'import tinya, tinyb, tiny_c; print(tinya.__version__, tiny_c.__version__)']);
      expect(imported.stdout).toBe('0.1.0 0.3.0');
    },
    SLOW,
  );

  it('lists the same packages as pip list --format=json, without running pip', async () => {
    const ours = await runCli(['venv', 'list', 'project/.venv', '--json'], { cwd: work });
    expect(ours.exitCode).toBe(0);
    const pip = await execa(path.join(venv(), 'bin', 'python'), ['-m', 'pip', 'list', '--format=json', '--disable-pip-version-check']);
    const byName = (a: { name: string }, b: { name: string }) => a.name.toLowerCase().localeCompare(b.name.toLowerCase());
    expect(JSON.parse(ours.stdout).sort(byName)).toEqual(JSON.parse(pip.stdout).sort(byName));
    expect(JSON.parse(ours.stdout).map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['Tiny.C', 'tinya', 'tinyb', 'pip']));

    const freeze = await runCli(['venv', 'list', 'project/.venv', '--format', 'freeze'], { cwd: work });
    expect(freeze.stdout.split('\n')).toEqual(expect.arrayContaining(['tinya==0.1.0', 'tinyb==0.2.0', 'Tiny.C==0.3.0']));
    const columns = await runCli(['venv', 'list', 'project/.venv'], { cwd: work });
    expect(columns.stdout).toMatch(/^Package +Version\n-+ -+\n/);
    expect(columns.stdout).toMatch(/\ntinya +0\.1\.0\n/);
  });

  it('reports every info field, checking that the paths it names exist', async () => {
    const run = await runCli(['venv', 'info', 'project/.venv', '--json'], { cwd: work });
    expect(run.exitCode).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info).toMatchObject({
      path: venv(),
      layout: 'posix',
      configFile: path.join(venv(), 'pyvenv.cfg'),
      python: { version: pythonVersion, executable: path.join(venv(), 'bin', 'python'), executableExists: true },
      base: { executableExists: true },
      includeSystemSitePackages: false,
      creator: { tool: 'venv' },
      prompt: 'tiny env',
      packageCount: 5,
      active: false,
      problems: [],
    });
    expect(existsSync(info.base.executable)).toBe(true);
    // The same space `du` counts (allocated blocks, hard links once, symlinks not followed).
    const du = await execa('du', ['-s', '-B1', venv()]);
    expect(info.sizeBytes).toBe(Number(du.stdout.split(/\s/)[0]));

    const active = await runCli(['venv', 'info', '.venv', '--json'], { cwd: path.join(work, 'project'), env: { VIRTUAL_ENV: venv() } });
    expect(JSON.parse(active.stdout).active).toBe(true);
    const human = await runCli(['venv', 'info', 'project/.venv'], { cwd: work });
    expect(human.stdout).toContain(`Location:             ${venv()}`);
    expect(human.stdout).toMatch(/Size on disk: +\d+\.\d MiB/);
    expect(human.stdout).toContain('Prompt:               tiny env');
  });

  it('refuses to create over an existing venv without --clear, touching nothing', async () => {
    const before = await snapshot(venv());
    const run = await runCli(['venv', 'create', 'project/.venv', '--no-uv'], { cwd: work });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/^mcp-guard: project\/\.venv is already a virtual environment; pass --clear/);
    expect(await snapshot(venv())).toEqual(before);
  });

  it(
    'recreates an existing venv with --clear',
    async () => {
      const run = await runCli(['venv', 'create', 'project/.venv', '--no-uv', '--clear', '--prompt', 'fresh', '--json'], { cwd: work });
      expect(run.exitCode).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ cleared: true, info: { prompt: 'fresh', packageCount: 2 } });
      const list = await runCli(['venv', 'list', 'project/.venv', '--format', 'freeze'], { cwd: work });
      expect(list.stdout).not.toContain('tinya');
      // The old venv was moved aside while the new one was built, and is gone now.
      expect(await readdir(path.join(work, 'project'))).toEqual(['.venv']);
    },
    SLOW,
  );

  it('deletes the venv with --yes and says how much space it freed', async () => {
    const size = JSON.parse((await runCli(['venv', 'info', 'project/.venv', '--json'], { cwd: work })).stdout).sizeBytes;
    const run = await runCli(['venv', 'delete', 'project/.venv', '--yes', '--json'], { cwd: work });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ deleted: true, path: venv(), pythonVersion, sizeBytes: size, freedBytes: size });
    expect(existsSync(venv())).toBe(false);
    expect(existsSync(path.join(work, 'project'))).toBe(true);
  });
});

describe('a failed or interrupted create leaves nothing behind', () => {
  it(
    'removes the venv, and the parents it made, when pip fails',
    async () => {
      const run = await runCli(['venv', 'create', 'deep/er/.venv', '--no-uv', '--packages', 'no-such-package', '--no-index'], { cwd: work });
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain('mcp-guard: removing the unfinished venv at deep/er/.venv');
      expect(run.stderr.trim().split('\n').pop()).toMatch(/^mcp-guard: pip install failed \(exit 1\): ERROR: .*no-such-package.*\(nothing left behind\); --verbose shows its full output$/);
      expect(existsSync(path.join(work, 'deep'))).toBe(false);
    },
    SLOW,
  );

  it(
    'undoes the create when interrupted with SIGINT, exiting 130',
    async () => {
      const target = path.join(work, 'interrupted');
      const child = execa(process.execPath, [CLI, 'venv', 'create', target, '--no-uv'], {
        cwd: work,
        reject: false,
        stdin: 'ignore',
      });
      // Wait until python -m venv has started writing the venv, then interrupt.
      for (let i = 0; i < 600 && !existsSync(path.join(target, 'pyvenv.cfg')); i++) await new Promise((r) => setTimeout(r, 25));
      expect(existsSync(target)).toBe(true);
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(130);
      expect(result.stderr).toContain(`mcp-guard: interrupted: removed the unfinished venv at ${target}`);
      expect(existsSync(target)).toBe(false);
    },
    SLOW,
  );
});

// The real uv is not installed here (it is not on npm or in Debian, and PyPI is unreachable), and a
// test that could only ever be skipped proves nothing: the uv path runs with a stand-in uv that
// logs its arguments and creates the venv with Python, so what mcp-guard asks of uv is checked.
describe('the uv path', () => {
  it(
    'uses uv when it is on PATH, and undoes a failed --clear (with a stand-in uv that logs its arguments)',
    async () => {
      const log = path.join(work, 'uv.log');
      const env = { PATH: `${FAKE_UV_DIR}${path.delimiter}${process.env.PATH}`, FAKE_UV_LOG: log };
      const run = await runCli(['venv', 'create', 'uv-venv', '--packages', 'tinya', '--find-links', wheels, '--no-index', '--system-site-packages', '--json'], { cwd: work, env });
      expect(run.stderr).toContain('(uv venv)');
      expect(run.exitCode).toBe(0);
      const result = JSON.parse(run.stdout);
      expect(result).toMatchObject({ backend: 'uv', info: { creator: { tool: 'uv', version: '0.0.0-fixture' }, includeSystemSitePackages: true } });
      const calls = (await readFile(log, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
      const venvPath = path.join(work, 'uv-venv');
      expect(calls).toEqual([
        ['venv', '--python', result.interpreter.executable, '--system-site-packages', venvPath],
        ['pip', 'install', '--python', path.join(venvPath, 'bin', 'python'), '--find-links', wheels, '--no-index', 'tinya'],
      ]);
      // A uv venv has no pip; list reads metadata, so it works all the same.
      expect(existsSync(path.join(venvPath, 'bin', 'pip'))).toBe(false);
      const list = await runCli(['venv', 'list', 'uv-venv', '--format', 'freeze'], { cwd: work });
      expect(list.stdout).toBe('tinya==0.1.0\ntinyb==0.2.0');

      // A --clear whose install fails puts the old venv back as it was.
      const before = await snapshot(venvPath);
      const failed = await runCli(['venv', 'create', 'uv-venv', '--clear', '--packages', 'no-such-package', '--no-index', '--verbose'], { cwd: work, env });
      expect(failed.exitCode).toBe(1);
      // --verbose: the tool's own lines, indented, then the one-line error (and its stack).
      expect(failed.stderr).toMatch(/^ {2}ERROR: Could not find a version that satisfies the requirement no-such-package/m);
      expect(failed.stderr).toMatch(/^mcp-guard: uv pip install failed \(exit 1\): ERROR: .*no-such-package.*the old venv is back in place\)$/m);
      expect(await snapshot(venvPath)).toEqual(before);
      expect((await readdir(work)).filter((name) => name.includes('uv-venv'))).toEqual(['uv-venv']);
      expect((await runCli(['venv', 'delete', 'uv-venv', '--yes'], { cwd: work })).exitCode).toBe(0);
    },
    SLOW,
  );
});
