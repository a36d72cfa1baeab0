import { hasExponentialBacktracking } from './regex-backtracking.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { show, type ShapeProblem } from './policy-shape.js';

/**
 * Checks a regular expression the way the validator will run it (a JSON Schema `pattern`, or a
 * PolicyLayer `regex` condition, which becomes one): it must compile, and a pattern that can
 * backtrack exponentially is a warning.
 */
export function checkPattern(pattern: string, path: PolicyPath, target: 'key' | 'value', problems: ShapeProblem[]): void {
  try {
    // Ajv compiles patterns with the "u" flag; so must the check.
    new RegExp(pattern, 'u');
  } catch (error) {
    problems.push({ path, target, ruleId: 'invalid-schema', message: `${formatPath(path)}: ${show(pattern)} is not a valid regular expression: ${(error as Error).message.replace(/^Invalid regular expression: \/.*\/u?: /, '')}` });
    return;
  }
  if (hasExponentialBacktracking(pattern)) {
    problems.push({
      path,
      target,
      ruleId: 'catastrophic-regex',
      message: `${formatPath(path)}: the pattern ${show(pattern)} can backtrack exponentially (nested or overlapping repetition); one long argument could stall every call`,
    });
  }
}
