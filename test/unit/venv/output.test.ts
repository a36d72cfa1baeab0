import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createProgressReporter,
  formatBytes,
  formatDeleted,
  formatFreeze,
  formatInfo,
  formatPackageColumns,
  packagesJson,
} from '../../../src/cli/venv-output.js';
import type { VenvInfo } from '../../../src/venv/info.js';

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY: boolean, readonly columns = 80) {
    super();
  }
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

const pkg = (name: string, version: string) => ({ name, version, metadata: `/sp/${name}.dist-info/METADATA` });

describe('formatters', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [26_423_296, '25.2 MiB'],
    [3 * 1024 ** 3, '3.0 GiB'],
  ])('formatBytes(%d) = %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('lists packages in aligned columns, as freeze lines and as pip-shaped JSON', () => {
    const packages = [pkg('pip', '23.2.1'), pkg('Tiny.C', '0.3.0')];
    expect(formatPackageColumns(packages)).toBe('Package Version\n------- -------\npip     23.2.1\nTiny.C  0.3.0\n');
    expect(formatPackageColumns([])).toBe('No packages installed.\n');
    expect(formatFreeze(packages)).toBe('pip==23.2.1\nTiny.C==0.3.0\n');
    expect(packagesJson(packages)).toEqual([
      { name: 'pip', version: '23.2.1' },
      { name: 'Tiny.C', version: '0.3.0' },
    ]);
  });

  it('strips terminal escapes from names read off disk', () => {
    expect(formatFreeze([pkg('evil\u001b[2Jname', '1\u0007')])).toBe('evilname==1\n');
  });

  it('prints info as aligned fields, marking missing paths and listing problems', () => {
    const info: VenvInfo = {
      path: '/p/.venv',
      layout: 'posix',
      configFile: '/p/.venv/pyvenv.cfg',
      python: { version: '3.12.7', executable: '/p/.venv/bin/python', executableExists: false },
      base: { home: '/gone', executable: null, executableExists: false },
      includeSystemSitePackages: false,
      creator: { tool: 'uv', version: '0.4.18', command: null },
      prompt: null,
      sitePackages: [],
      sizeBytes: 2048,
      packageCount: 0,
      active: true,
      problems: ['no base interpreter found in home /gone'],
    };
    expect(formatInfo(info)).toBe(
      [
        'Location:             /p/.venv',
        'Python:               3.12.7, /p/.venv/bin/python (missing)',
        'Base interpreter:     none found in /gone',
        'System site-packages: not included',
        'Created by:           uv 0.4.18',
        'Layout:               POSIX (bin/)',
        'Size on disk:         2.0 KiB',
        'Packages:             0',
        'Active:               yes (VIRTUAL_ENV)',
        'Problem: no base interpreter found in home /gone',
        '',
      ].join('\n'),
    );
  });

  it('says what delete freed, and what stays because it is hard-linked from elsewhere', () => {
    expect(formatDeleted({ deleted: true, path: '/p/.venv', pythonVersion: '3.12.7', sizeBytes: 4096, freedBytes: 4096 })).toBe('Deleted virtual environment /p/.venv: freed 4.0 KiB\n');
    expect(formatDeleted({ deleted: true, path: '/p/.venv', pythonVersion: null, sizeBytes: 3 * 1024 ** 2, freedBytes: 1024 ** 2 })).toBe(
      "Deleted virtual environment /p/.venv: freed 1.0 MiB; 2.0 MiB more is hard-linked from elsewhere (such as uv's cache) and stays\n",
    );
  });
});

describe('createProgressReporter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes one plain line per step off a terminal, and tool output only when verbose', () => {
    const quiet = new Capture(false);
    const reporter = createProgressReporter(quiet, { verbose: false });
    reporter.step('creating .venv');
    reporter.output('Collecting tinya');
    reporter.stop(true);
    expect(quiet.text).toBe('mcp-guard: creating .venv\n');

    const verbose = new Capture(false);
    const loud = createProgressReporter(verbose, { verbose: true });
    loud.step('installing');
    loud.output('Collecting \u001b[1mtinya\u001b[0m');
    expect(verbose.text).toBe('mcp-guard: installing\n  Collecting tinya\n');
  });

  it('animates one line on a terminal, shows the latest tool line, and ticks steps off', () => {
    vi.useFakeTimers();
    const tty = new Capture(true, 40);
    const reporter = createProgressReporter(tty, { verbose: false });
    reporter.step('creating .venv');
    expect(tty.text).toBe('\r\u001b[2K⠋ creating .venv');
    vi.advanceTimersByTime(80);
    expect(tty.text.endsWith('\r\u001b[2K⠙ creating .venv')).toBe(true);
    reporter.output('Collecting a-package-with-a-very-long-name-indeed');
    // Cut to the terminal's width, so the line never wraps and \r keeps working.
    expect(tty.text.endsWith('\r\u001b[2K⠙ creating .venv · Collecting a-package')).toBe(true);
    reporter.step('installing');
    expect(tty.text).toContain('\r\u001b[2K✔ creating .venv\n\r\u001b[2K⠙ installing');
    reporter.stop(false);
    expect(tty.text.endsWith('\r\u001b[2K✖ installing\n')).toBe(true);
    const length = tty.text.length;
    vi.advanceTimersByTime(1000);
    expect(tty.text.length).toBe(length);
  });
});
