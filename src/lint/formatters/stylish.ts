import { Chalk, type ChalkInstance } from 'chalk';
import type { LintResult } from '../lint-files.js';
import { displayPath } from './display-path.js';
import { stripControl } from '../../terminal/strip-control.js';

export interface StylishOptions {
  cwd: string;
  /** Chalk colour level: 0 none, 1 basic, 2 256 colours, 3 truecolor. */
  colorLevel: 0 | 1 | 2 | 3;
  maxWarnings?: number;
}

/**
 * Compiler-style lines, grouped by file: `path:line:col  severity  message  (rule-id)`, then a
 * summary. Pure: the colour level is decided by the caller (NO_COLOR / FORCE_COLOR / TTY).
 */
export function formatStylish(results: LintResult[], options: StylishOptions): string {
  const c: ChalkInstance = new Chalk({ level: options.colorLevel });
  const lines: string[] = [];
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const result of results) {
    errors += result.errorCount;
    warnings += result.warningCount;
    infos += result.infoCount;
    if (result.problems.length === 0) continue;
    const shown = displayPath(result.file, options.cwd);
    lines.push(c.underline(shown));
    for (const p of result.problems) {
      const severity = p.severity === 'error' ? c.red('error  ') : p.severity === 'warning' ? c.yellow('warning') : c.blue('info   ');
      // Messages quote policy text, which may hold anything: no terminal control sequences.
      lines.push(`${c.dim(`${shown}:${p.line}:${p.column}`)}  ${severity}  ${stripControl(p.message)}  ${c.dim(`(${p.ruleId})`)}`);
    }
    lines.push('');
  }
  const total = errors + warnings;
  const files = `${results.length} file${results.length === 1 ? '' : 's'}`;
  const notes = infos > 0 ? `; ${plural(infos, 'note')}` : '';
  if (total === 0) {
    lines.push(c.green(`✔ no problems in ${files}${notes}`));
  } else {
    const summary = `✖ ${plural(total, 'problem')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')}) in ${files}${notes}`;
    lines.push(errors > 0 ? c.red.bold(summary) : c.yellow.bold(summary));
  }
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    lines.push(c.red.bold(`✖ ${plural(warnings, 'warning')} exceed --max-warnings ${options.maxWarnings}`));
  }
  return `${lines.join('\n')}\n`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
