import type { PolicyProblem } from '../problem.js';
import { withPositions } from './positions.js';
import { compileGlob, isGlob } from '../engine/glob.js';
import { entries, isObject } from '../engine/walk.js';
import type { PolicySource } from '../source/source.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { checkPolicyShape, show, type ShapeProblem } from './policy-shape.js';
import { nearest } from './suggest.js';

/** The keys that name the message a case judges; a case has exactly one. */
const SUBJECTS = ['call', 'resource', 'prompt', 'method'] as const;

/** Decisions that come from a person's answer, which `mcp-guard test` never asks for. */
const FROM_A_PERSON = new Set(['approval_declined', 'approval_timeout', 'approval_unavailable']);

/**
 * What the schema cannot say about test cases (SPEC §10): each judges one message, the clock
 * never runs backwards, and — as warnings — names that are likely typos of the policy's
 * entries, rules the policy can never report, and decisions only a person's answer gives.
 * `cases` may be anything: the schema has reported what is malformed.
 */
export function testCaseProblems(doc: unknown, cases: unknown, base: PolicyPath): ShapeProblem[] {
  if (!Array.isArray(cases)) return [];
  const out: ShapeProblem[] = [];
  const rules = ruleNames(doc);
  let clock = 0;
  cases.forEach((testCase, i) => {
    if (!isObject(testCase)) return;
    const path = [...base, i];
    const present = SUBJECTS.filter((s) => testCase[s] !== undefined);
    if (present.length === 0) {
      out.push({ path, target: 'value', ruleId: 'invalid-test-case', message: `${formatPath(path)}: a case needs the message it judges: "call", "resource", "prompt" or "method"` });
    } else if (present.length > 1) {
      const at = [...path, present[1]!];
      out.push({ path: at, target: 'key', ruleId: 'invalid-test-case', message: `${formatPath(at)}: a case judges one message, and this one has both ${JSON.stringify(present[0])} and ${JSON.stringify(present[1])}; make two cases` });
    }
    if (typeof testCase.at === 'number' && testCase.at >= 0) {
      if (testCase.at < clock) {
        out.push({
          path: [...path, 'at'],
          target: 'value',
          ruleId: 'invalid-test-case',
          message: `${formatPath([...path, 'at'])}: ${testCase.at} s is earlier than the case before it (${clock} s); cases run in order on one clock, so move this case up or give it a later time`,
        });
      } else {
        clock = testCase.at;
      }
    }
    out.push(...nameWarnings(doc, testCase, path));
    if (isObject(doc) && typeof testCase.rule === 'string' && testCase.rule !== '' && !rules.has(testCase.rule) && testCase.expect !== 'protected' && testCase.expect !== 'unpinned') {
      const suggestion = nearest(testCase.rule, rules);
      out.push({
        path: [...path, 'rule'],
        target: 'value',
        ruleId: 'unknown-test-rule',
        message: `${formatPath([...path, 'rule'])}: ${show(testCase.rule)} is not a rule of this policy, so no decision can name it${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`,
        ...(suggestion ? { suggestion } : {}),
      });
    }
    if (typeof testCase.expect === 'string' && FROM_A_PERSON.has(testCase.expect)) {
      out.push({
        path: [...path, 'expect'],
        target: 'value',
        ruleId: 'untestable-decision',
        message: `${formatPath([...path, 'expect'])}: ${show(testCase.expect)} comes from a person's answer, and mcp-guard test asks nobody: a call the policy holds for approval gets "ask"`,
        suggestion: 'ask',
      });
    }
  });
  return out;
}

/** A tool or prompt no entry names, but one is a letter or two away: most likely a typo (unless the case expects a refusal). */
function nameWarnings(doc: unknown, testCase: Record<string, unknown>, path: PolicyPath): ShapeProblem[] {
  if (!isObject(doc) || testCase.expect === 'denied') return [];
  const subject = testCase.call !== undefined ? 'call' : testCase.prompt !== undefined ? 'prompt' : undefined;
  if (!subject) return [];
  const value = testCase[subject];
  const name = typeof value === 'string' ? value : isObject(value) ? (subject === 'call' ? value.tool : value.name) : undefined;
  if (typeof name !== 'string' || name === '') return [];
  const map = subject === 'call' ? 'tools' : 'prompts';
  const keys = [...entries(doc)].filter((e) => e.map === map).map((e) => e.key);
  const hidden = subject === 'call' && Array.isArray(doc.hide) ? doc.hide.filter((h): h is string => typeof h === 'string') : [];
  if ([...keys, ...hidden].some((key) => names(key, name))) return [];
  const suggestion = nearest(name, keys.filter((k) => !isGlob(k)));
  if (!suggestion) return [];
  const at = typeof value === 'string' ? [...path, subject] : [...path, subject, subject === 'call' ? 'tool' : 'name'];
  return [
    {
      path: at,
      target: 'value',
      ruleId: 'unknown-test-name',
      message: `${formatPath(at)}: no entry of ${map} names ${show(name)}, so the case tests the default; did you mean ${JSON.stringify(suggestion)}?`,
      suggestion,
    },
  ];
}

function names(key: string, name: string): boolean {
  if (!isGlob(key)) return key.replace(/\\(.)/g, '$1') === name;
  try {
    return compileGlob(key, 'name').test(name);
  } catch {
    return false;
  }
}

/** Every rule path a decision under this policy can name (the paths compile.ts gives each part). */
export function ruleNames(doc: unknown): Set<string> {
  const out = new Set(['default', 'hide', 'lifecycle', 'tools', 'prompts', 'resources', 'self-protection']);
  if (!isObject(doc)) return out;
  const limitsOf = (list: unknown, base: string) => {
    if (Array.isArray(list)) list.forEach((_, i) => out.add(`${base}[${i}]`));
  };
  if (isObject(doc.all_tools)) limitsOf(doc.all_tools.limits, 'all_tools.limits');
  if (isObject(doc.methods)) for (const method of Object.keys(doc.methods)) out.add(`methods.${method}`);
  for (const entry of entries(doc)) {
    const base = `${entry.map}.${entry.key}`;
    out.add(base);
    if (!isObject(entry.rule)) continue;
    out.add(`${base}.args`);
    out.add(`${base}.rate_limit`);
    limitsOf(entry.rule.limits, `${base}.limits`);
    if (Array.isArray(entry.rule.rules)) {
      entry.rule.rules.forEach((when, i) => {
        out.add(`${base}.rules[${i}]`);
        if (isObject(when)) limitsOf(when.limits, `${base}.rules[${i}].limits`);
      });
    }
  }
  return out;
}

/** The keys a test file may have besides `tests`. */
const TEST_FILE_KEYS = ['tests', '$schema', '$comment', 'description'];

/**
 * Checks a test file of its own (`<name>.test.json`): a list of cases, or `{ "tests": [...] }`,
 * checked as the policy's `tests` key is, with positions in the test file. `policy` is the
 * document the cases are run against, for the name and rule checks (skipped without one).
 */
export function validateTestSource(source: PolicySource, policy: unknown): PolicyProblem[] {
  if (source.value === undefined) return source.problems;
  const found: ShapeProblem[] = [];
  let cases: unknown;
  let locate = source.locate;
  if (Array.isArray(source.value)) {
    cases = source.value;
    // Paths say `tests[0].expect` as in a policy; the file holds the list itself.
    locate = (path, target) => source.locate(path[0] === 'tests' ? path.slice(1) : path, target);
  } else if (isObject(source.value)) {
    cases = source.value.tests;
    for (const key of Object.keys(source.value)) {
      if (TEST_FILE_KEYS.includes(key)) continue;
      const suggestion = nearest(key, TEST_FILE_KEYS);
      found.push({
        path: [key],
        target: 'key',
        ruleId: 'unknown-key',
        message: `${formatPath([key])}: unknown key ${JSON.stringify(key)}; ${suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : 'a test file has "tests" (the list of cases), and may have "$schema", "$comment" and "description"'}`,
        ...(suggestion ? { suggestion } : {}),
      });
    }
    if (cases === undefined) found.push({ path: [], target: 'value', ruleId: 'missing-key', message: 'missing required key "tests" (the list of cases)' });
  } else {
    found.push({ path: [], target: 'value', ruleId: 'wrong-type', message: 'a test file holds a list of cases, or an object { "tests": [ ... ] }' });
  }
  if (cases !== undefined) {
    found.push(...checkPolicyShape({ version: '1', tests: cases }), ...testCaseProblems(policy, cases, ['tests']));
  }
  return withPositions(source, found, locate);
}
