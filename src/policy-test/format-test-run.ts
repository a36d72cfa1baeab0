import { Chalk } from 'chalk';
import { displayPath } from '../lint/formatters/display-path.js';
import { escapeText } from '../terminal/escape.js';
import type { CaseReport, TestRun } from './run-policy-tests.js';

/**
 * `mcp-guard test`'s report, like a test runner's: the file of each list of cases, one line per
 * case (✓ or ✗), what a failing case expected and got with the rule that decided and where the
 * case is written, and last `N passed, M failed`. Pure: the caller picks the colour level.
 */
export function formatTestRun(run: TestRun, options: { cwd: string; colorLevel: 0 | 1 | 2 | 3 }): string {
  const c = new Chalk({ level: options.colorLevel });
  const lines: string[] = [];
  for (const report of run.policies) {
    if (report.suites.length === 0) {
      lines.push(`${c.underline(displayPath(report.policy, options.cwd))}  ${c.yellow('no test cases')} ${c.dim('(add a "tests" list, or a .test.json file beside it)')}`);
      continue;
    }
    for (const suite of report.suites) {
      const policy = suite.file === report.policy ? '' : c.dim(`  (policy ${displayPath(report.policy, options.cwd)})`);
      lines.push(`${c.underline(displayPath(suite.file, options.cwd))}${policy}`);
      let clock = 0;
      for (const testCase of suite.cases) {
        lines.push(...caseLines(testCase, testCase.at !== clock, c, options.cwd));
        clock = testCase.at;
      }
    }
    lines.push('');
  }
  const summary = `${run.passed} passed, ${run.failed} failed`;
  lines.push(run.failed > 0 ? c.red.bold(summary) : run.passed > 0 ? c.green.bold(summary) : c.yellow.bold(`${summary}: no test cases ran`));
  return `${lines.join('\n')}\n`;
}

/** A case's line(s); the time is shown where the clock moved. */
function caseLines(r: CaseReport, clockMoved: boolean, c: InstanceType<typeof Chalk>, cwd: string): string[] {
  const name = escapeText(r.name);
  const when = [r.calls > 1 ? `×${r.calls}` : '', clockMoved ? `at ${r.at} s` : ''].filter(Boolean).join(', ');
  const head = `${name}${when ? c.dim(` (${when})`) : ''}`;
  if (r.passed) return [`  ${c.green('✓')} ${head}`];
  const expected = `${r.expect}${r.rule !== undefined ? ` by ${escapeText(r.rule)}` : ''}`;
  const nth = r.calls > 1 ? c.dim(` (call ${r.call} of ${r.calls})`) : '';
  const lines = [
    `  ${c.red('✗')} ${head}`,
    `      ${c.dim('expected')} ${c.green(expected)}`,
    `      ${c.dim('actual  ')} ${c.red(`${r.actual.decision} by ${escapeText(r.actual.rule)}`)}${nth}`,
  ];
  if (r.actual.reason !== undefined) lines.push(`      ${c.dim('reason  ')} ${escapeText(r.actual.reason)}`);
  lines.push(`      ${c.dim(`at ${displayPath(r.file, cwd)}:${r.line}:${r.column}`)}`);
  return lines;
}
