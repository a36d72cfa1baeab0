import { execa } from 'execa';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePython } from '../../../src/venv/resolve-python.js';
import { makeTempDir, removeTempDir, which } from '../../fixtures/venv/helpers.js';

// Real interpreters: the machine's python3, under names this test lays out on its own PATH.
let work: string;
let bin: string;
let real: { executable: string; version: string; minor: string };

beforeAll(async () => {
  work = await makeTempDir();
  bin = path.join(work, 'bin');
  await mkdir(bin);
  const probe = await execa('python3', ['-c', 'import sys; print(sys.executable); print("%d.%d.%d" % sys.version_info[:3])']);
  const [executable, version] = probe.stdout.split('\n') as [string, string];
  real = { executable, version, minor: version.split('.').slice(0, 2).join('.') };
  await symlink(executable, path.join(bin, `python${real.minor}`));
  // A `python3.99` that is really the machine's python: the version check must catch it.
  await symlink(executable, path.join(bin, 'python3.99'));
  await writeFile(path.join(bin, 'not-python'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
  await writeFile(path.join(bin, 'failing'), '#!/bin/sh\necho "boom: no such module" >&2\nexit 3\n', { mode: 0o755 });
});
afterAll(async () => {
  await removeTempDir(work);
});

const options = () => ({ cwd: work, env: { ...process.env, PATH: bin } });

describe('resolvePython', () => {
  it('resolves a version to pythonX.Y on PATH and reports what it really is', async () => {
    // sys.executable is the name it was started by, which venv records as the base.
    expect(await resolvePython(real.minor, options())).toEqual({
      executable: path.join(bin, `python${real.minor}`),
      version: real.version,
      implementation: 'cpython',
      requested: real.minor,
    });
  });

  it('resolves a full version when it matches', async () => {
    expect((await resolvePython(real.version, options())).version).toBe(real.version);
  });

  it('refuses a pythonX.Y that is some other version', async () => {
    await expect(resolvePython('3.99', options())).rejects.toMatchObject({ code: 'PYTHON_VERSION_MISMATCH', exitCode: 1, message: `python3.99 is Python ${real.version}, not 3.99` });
  });

  it('says which names it looked for when a version is not installed', async () => {
    await expect(resolvePython('3.98', options())).rejects.toMatchObject({
      code: 'PYTHON_NOT_FOUND',
      message: 'no Python 3.98 found on PATH (looked for python3.98); install it or pass --python with a path',
    });
  });

  it('defaults to python3, then python, on PATH', async () => {
    await expect(resolvePython(undefined, options())).rejects.toMatchObject({ code: 'PYTHON_NOT_FOUND', data: { tried: ['python3', 'python'] } });
    // /usr/bin and /bin too: python3 may be a pyenv shim, a bash script.
    const withPython3 = { cwd: work, env: { ...process.env, PATH: [path.dirname((await which('python3'))!), '/usr/bin', '/bin'].join(':') } };
    expect((await resolvePython(undefined, withPython3)).version).toBe(real.version);
  });

  it('takes a path, relative to the working directory', async () => {
    expect((await resolvePython(`./bin/python${real.minor}`, options())).executable).toBe(path.join(bin, `python${real.minor}`));
    expect((await resolvePython(real.executable, options())).executable).toBe(real.executable);
    await expect(resolvePython('./bin/nope', options())).rejects.toMatchObject({ code: 'PYTHON_NOT_FOUND', message: `--python ./bin/nope: ${path.join(work, 'bin', 'nope')} does not exist` });
    await expect(resolvePython('./bin', options())).rejects.toMatchObject({ code: 'PYTHON_NOT_FOUND', message: `--python ./bin: ${bin} is not a file` });
  });

  it('refuses a command that is not a Python interpreter, surfacing its stderr', async () => {
    await expect(resolvePython('not-python', options())).rejects.toMatchObject({ code: 'PYTHON_NOT_WORKING', message: 'not-python is not a working Python 3 interpreter: it did not answer a version check' });
    await expect(resolvePython('failing', options())).rejects.toMatchObject({ code: 'PYTHON_NOT_WORKING', message: expect.stringMatching(/^failing is not a working Python 3 interpreter: .*\(exit 3\): boom: no such module$/) });
  });

  it('calls an empty --python a usage error', async () => {
    await expect(resolvePython(' ', options())).rejects.toMatchObject({ code: 'USAGE', exitCode: 2 });
  });
});
