import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import type { PolicyProblem } from '../../../src/policy/problem.js';
import { formatLintJson } from '../../../src/lint/formatters/json.js';
import { formatSarif } from '../../../src/lint/formatters/sarif.js';
import { formatStylish } from '../../../src/lint/formatters/stylish.js';
import type { LintResult } from '../../../src/lint/lint-files.js';
import { LINT_RULES } from '../../../src/lint/rules.js';
import { colorLevel } from '../../../src/cli/lint.js';

const cwd = '/work/project';
const problem = (over: Partial<PolicyProblem>): PolicyProblem => ({
  file: `${cwd}/policy.json`,
  line: 5,
  column: 22,
  endLine: 5,
  endColumn: 29,
  severity: 'error',
  path: 'tools.python_venv.limit',
  ruleId: 'unknown-key',
  message: 'tools.python_venv.limit: unknown key "limit"; did you mean "limits"?',
  suggestion: 'limits',
  ...over,
});
const results: LintResult[] = [
  {
    file: `${cwd}/policy.json`,
    problems: [problem({}), problem({ line: 9, column: 3, severity: 'warning', ruleId: 'default-allow', path: 'default', message: 'default: "allow" lets through...', suggestion: undefined })],
    errorCount: 1,
    warningCount: 1,
    infoCount: 0,
  },
  { file: `${cwd}/clean.yaml`, problems: [], errorCount: 0, warningCount: 0, infoCount: 0 },
  { file: '/elsewhere/dir with space/p.yaml', problems: [problem({ file: '/elsewhere/dir with space/p.yaml', message: 'evil \u001b[31mred\u001b[0m' })], errorCount: 1, warningCount: 0, infoCount: 0 },
];
const note = problem({ line: 6, column: 20, severity: 'info', ruleId: 'policylayer', path: 'tools.t.require[0]', message: 'tools.t.require[0]: PolicyLayer\'s require...', suggestion: undefined });
const withNote: LintResult = { file: `${cwd}/pl.json`, problems: [note], errorCount: 0, warningCount: 0, infoCount: 1 };

describe('stylish', () => {
  it('prints path:line:col  severity  message  (rule-id), grouped by file, with a summary', () => {
    const text = formatStylish(results, { cwd, colorLevel: 0 });
    expect(text).toBe(
      [
        'policy.json',
        'policy.json:5:22  error    tools.python_venv.limit: unknown key "limit"; did you mean "limits"?  (unknown-key)',
        'policy.json:9:3  warning  default: "allow" lets through...  (default-allow)',
        '',
        '/elsewhere/dir with space/p.yaml',
        '/elsewhere/dir with space/p.yaml:5:22  error    evil red  (unknown-key)',
        '',
        '✖ 3 problems (2 errors, 1 warning) in 3 files',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked, and says when the warnings exceed --max-warnings', () => {
    expect(formatStylish(results, { cwd, colorLevel: 0 })).not.toContain('\u001b[');
    expect(formatStylish(results, { cwd, colorLevel: 1 })).toContain('\u001b[31m');
    expect(formatStylish([results[1]!], { cwd, colorLevel: 0 })).toBe('✔ no problems in 1 file\n');
    expect(formatStylish(results, { cwd, colorLevel: 0, maxWarnings: 0 })).toContain('✖ 1 warning exceed --max-warnings 0');
  });
});

describe('notes (info)', () => {
  it('stylish shows them as info and counts them apart from problems', () => {
    expect(formatStylish([withNote], { cwd, colorLevel: 0 })).toBe(
      ['pl.json', "pl.json:6:20  info     tools.t.require[0]: PolicyLayer's require...  (policylayer)", '', '✔ no problems in 1 file; 1 note', ''].join('\n'),
    );
    expect(formatStylish([results[0]!, withNote], { cwd, colorLevel: 0 })).toContain('✖ 2 problems (1 error, 1 warning) in 2 files; 1 note');
    expect(formatStylish([withNote], { cwd, colorLevel: 0, maxWarnings: 0 })).not.toContain('exceed');
  });

  it('json gives infoCount and the severity; SARIF the level "note", and still validates', () => {
    const [file] = JSON.parse(formatLintJson([withNote])) as Array<{ infoCount: number; messages: Array<{ severity: string }> }>;
    expect(file).toMatchObject({ infoCount: 1, messages: [{ severity: 'info' }] });
    const sarif = JSON.parse(formatSarif([withNote], { cwd, version: '0.1.0', rules: LINT_RULES })) as { runs: Array<{ results: Array<{ level: string }>; tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } } }> };
    expect(sarif.runs[0]!.results[0]!.level).toBe('note');
    expect(sarif.runs[0]!.tool.driver.rules.find((r) => r.id === 'policylayer')!.defaultConfiguration.level).toBe('note');
  });
});

describe('colorLevel', () => {
  it.each([
    [{}, true, 'tty'],
    [{}, false, 0],
    [{ NO_COLOR: '1' }, true, 0],
    [{ NO_COLOR: '' }, false, 0],
    [{ FORCE_COLOR: '1' }, false, 1],
    [{ FORCE_COLOR: '3' }, false, 3],
    [{ FORCE_COLOR: '' }, false, 1],
    [{ FORCE_COLOR: '0' }, true, 0],
    [{ FORCE_COLOR: 'false' }, true, 0],
    [{ FORCE_COLOR: '2', NO_COLOR: '1' }, false, 2],
  ] as const)('%j (tty %s) → %s', (env, tty, level) => {
    const got = colorLevel(env, tty);
    if (level === 'tty') expect(got).toBeGreaterThanOrEqual(0);
    else expect(got).toBe(level);
  });
});

describe('json', () => {
  it('is every diagnostic as data', () => {
    const parsed = JSON.parse(formatLintJson(results)) as Array<{ filePath: string; errorCount: number; messages: Array<Record<string, unknown>> }>;
    expect(parsed).toHaveLength(3);
    expect(parsed[0]!.messages[0]).toEqual({
      ruleId: 'unknown-key',
      severity: 'error',
      message: 'tools.python_venv.limit: unknown key "limit"; did you mean "limits"?',
      path: 'tools.python_venv.limit',
      line: 5,
      column: 22,
      endLine: 5,
      endColumn: 29,
      suggestion: 'limits',
    });
  });
});

describe('sarif', () => {
  const sarifSchema = JSON.parse(readFileSync(path.resolve('node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as Record<string, unknown>;
  // The published schema is draft-04 ("id", "$schema" draft-04); Ajv's draft-07 class reads it
  // once "id" is spelled "$id", and none of its keywords changed meaning between the two. One of
  // its patterns is not valid with the "u" flag, so patterns are compiled without it.
  const { $schema: _draft04, id, ...rest } = sarifSchema;
  const validate = new Ajv.default({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false }).compile({ ...rest, $id: id });
  const log = JSON.parse(formatSarif(results, { cwd, version: '0.1.0', rules: LINT_RULES })) as {
    version: string;
    runs: Array<{ tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } }; results: Array<Record<string, unknown>> }>;
  };

  it('validates against the SARIF 2.1.0 JSON Schema', () => {
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const noted = JSON.parse(formatSarif([...results, withNote], { cwd, version: '0.1.0', rules: LINT_RULES })) as unknown;
    expect(validate(noted), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(log.version).toBe('2.1.0');
    // The check can fail: a run without its tool, or a result with a bad level, is refused.
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
    const broken = structuredClone(log) as unknown as { runs: Array<{ results: Array<{ level: string }> }> };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
  });

  it('lists every rule, from the same meta as the README, with its level', () => {
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toEqual(LINT_RULES.map((r) => r.id));
    expect(log.runs[0]!.tool.driver.rules.find((r) => r.id === 'default-allow')!.defaultConfiguration.level).toBe('warning');
  });

  it('gives each result its rule, level and region; relative URIs inside the working directory', () => {
    const [first, second, third] = log.runs[0]!.results as Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      locations: Array<{ physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }>;
    }>;
    expect(first!.ruleId).toBe('unknown-key');
    expect(LINT_RULES[first!.ruleIndex]!.id).toBe('unknown-key');
    expect(first!.level).toBe('error');
    expect(second!.level).toBe('warning');
    expect(first!.locations[0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'policy.json', uriBaseId: '%SRCROOT%', index: 0 },
      region: { startLine: 5, startColumn: 22, endLine: 5, endColumn: 29 },
    });
    expect(third!.locations[0]!.physicalLocation.artifactLocation.uri).toBe('file:///elsewhere/dir%20with%20space/p.yaml');
  });
});
