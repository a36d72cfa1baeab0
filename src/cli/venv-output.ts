import type { Writable } from 'node:stream';
import type { CreateVenvResult } from '../venv/create.js';
import type { DeletionPlan, DeletionResult } from '../venv/delete.js';
import type { VenvInfo } from '../venv/info.js';
import type { InstalledPackage } from '../venv/installed-packages.js';
import { stripControl } from './context.js';

/** Human output of the venv commands: pure formatters, plus the progress line for long steps. */

/** Bytes in binary units, one decimal: `512 B`, `21.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Pretty JSON with a final newline, for `--json`. */
export function formatVenvJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Text read from files or tools, safe for a terminal. */
const clean = (text: string) => stripControl(text);

function exists(path: string, present: boolean): string {
  return present ? clean(path) : `${clean(path)} (missing)`;
}

function rows(pairs: Array<[string, string]>): string {
  const width = Math.max(...pairs.map(([key]) => key.length)) + 2;
  return pairs.map(([key, value]) => `${`${key}:`.padEnd(width)}${value}\n`).join('');
}

/** `venv info` for a person. */
export function formatInfo(info: VenvInfo): string {
  const creator = [info.creator.tool, info.creator.version].filter(Boolean).join(' ') + (info.creator.command ? ` (${clean(info.creator.command)})` : '');
  const pairs: Array<[string, string]> = [
    ['Location', clean(info.path)],
    ['Python', `${info.python.version ?? 'unknown version'}, ${exists(info.python.executable, info.python.executableExists)}`],
    ['Base interpreter', info.base.executable ? exists(info.base.executable, info.base.executableExists) : `none found in ${clean(info.base.home)}`],
    ['System site-packages', info.includeSystemSitePackages ? 'included' : 'not included'],
    ['Created by', clean(creator)],
  ];
  if (info.prompt !== null) pairs.push(['Prompt', clean(info.prompt)]);
  pairs.push(
    ['Layout', info.layout === 'windows' ? 'Windows (Scripts\\)' : 'POSIX (bin/)'],
    ['Size on disk', formatBytes(info.sizeBytes)],
    ['Packages', String(info.packageCount)],
    ['Active', info.active ? 'yes (VIRTUAL_ENV)' : 'no'],
  );
  let text = rows(pairs);
  for (const problem of info.problems) text += `Problem: ${clean(problem)}\n`;
  return text;
}

/** `venv list` as two aligned columns, like `pip list`. */
export function formatPackageColumns(packages: InstalledPackage[]): string {
  if (packages.length === 0) return 'No packages installed.\n';
  const names = packages.map((p) => clean(p.name));
  const versions = packages.map((p) => clean(p.version));
  const nameWidth = Math.max('Package'.length, ...names.map((n) => n.length));
  const versionWidth = Math.max('Version'.length, ...versions.map((v) => v.length));
  const lines = [`${'Package'.padEnd(nameWidth)} Version`, `${'-'.repeat(nameWidth)} ${'-'.repeat(versionWidth)}`];
  names.forEach((name, i) => lines.push(`${name.padEnd(nameWidth)} ${versions[i]}`));
  return `${lines.join('\n')}\n`;
}

/** `venv list --format freeze`: `name==version` lines, as a requirements file. */
export function formatFreeze(packages: InstalledPackage[]): string {
  return packages.map((p) => `${clean(p.name)}==${clean(p.version)}\n`).join('');
}

/** `venv list --json`: the same array `pip list --format=json` prints. */
export function packagesJson(packages: InstalledPackage[]): Array<{ name: string; version: string }> {
  return packages.map(({ name, version }) => ({ name, version }));
}

function activationHint(info: VenvInfo, shownPath: string): string {
  return info.layout === 'windows' ? `${shownPath}\\Scripts\\activate` : `source ${shownPath}/bin/activate`;
}

/** What `venv create` says when it is done. */
export function formatCreated(result: CreateVenvResult, shownPath: string): string {
  const how = result.backend === 'uv' ? 'uv' : 'python -m venv';
  const count = result.info.packageCount;
  const verb = result.cleared ? 'Recreated' : 'Created';
  let text = `${verb} virtual environment ${clean(shownPath)} (Python ${result.interpreter.version}, ${how}, ${count} package${count === 1 ? '' : 's'})\n`;
  for (const problem of result.info.problems) text += `Problem: ${clean(problem)}\n`;
  text += `Activate it with: ${clean(activationHint(result.info, shownPath))}\n`;
  return text;
}

/** What `venv delete` asks before it deletes. */
export function formatDeletionQuestion(plan: DeletionPlan): string {
  const python = plan.pythonVersion ? `Python ${plan.pythonVersion}, ` : '';
  return `Delete virtual environment ${clean(plan.path)} (${python}${formatBytes(plan.sizeBytes)})? [y/N] `;
}

/** What `venv delete` says when it is done. */
export function formatDeleted(result: DeletionResult): string {
  const shared = result.sizeBytes - result.freedBytes;
  const note = shared > 0 ? `; ${formatBytes(shared)} more is hard-linked from elsewhere (such as uv's cache) and stays` : '';
  return `Deleted virtual environment ${clean(result.path)}: freed ${formatBytes(result.freedBytes)}${note}\n`;
}

export interface ProgressReporter {
  /** A new phase begins ("installing 3 packages with pip"). */
  step(message: string): void;
  /** A line of a tool's output. */
  output(line: string): void;
  /** The work is over; `ok` marks the last phase done or failed. */
  stop(ok: boolean): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * Progress on stderr. On a terminal, one line redrawn in place: a spinner, the phase, and the
 * tool's latest line, so a slow pip install visibly moves. Elsewhere, one plain line per phase
 * (and every tool line with --verbose), so logs stay readable.
 */
export function createProgressReporter(stream: Writable & { isTTY?: boolean; columns?: number }, options: { verbose: boolean }): ProgressReporter {
  if (!stream.isTTY) {
    return {
      step: (message) => stream.write(`mcp-guard: ${clean(message)}\n`),
      output: (line) => {
        if (options.verbose) stream.write(`  ${clean(line)}\n`);
      },
      stop: () => undefined,
    };
  }
  let phase: string | null = null;
  let detail = '';
  let frame = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  // A pty with no size set reports 0 columns.
  const width = () => Math.max(20, (stream.columns || 80) - 1);
  const render = () => {
    if (phase === null) return;
    const line = `${FRAMES[frame % FRAMES.length]} ${phase}${detail ? ` · ${detail}` : ''}`;
    stream.write(`\r\u001b[2K${Array.from(line).slice(0, width()).join('')}`);
  };
  const finish = (mark: string) => {
    if (phase !== null) stream.write(`\r\u001b[2K${mark} ${phase}\n`);
    phase = null;
    detail = '';
  };
  return {
    step(message) {
      finish('✔');
      phase = clean(message);
      if (timer === null) {
        timer = setInterval(() => {
          frame++;
          render();
        }, 80);
        // The spinner must never be what keeps the process alive.
        timer.unref();
      }
      render();
    },
    output(line) {
      const text = clean(line).trim();
      if (text === '') return;
      if (options.verbose) stream.write(`\r\u001b[2K  ${text}\n`);
      detail = text;
      render();
    },
    stop(ok) {
      if (timer !== null) clearInterval(timer);
      timer = null;
      finish(ok ? '✔' : '✖');
    },
  };
}
