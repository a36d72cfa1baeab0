import { linearRegExpError } from '../engine/linear-regexp.js';
import { hasExponentialBacktracking } from './regex-backtracking.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { show, type ShapeProblem } from './policy-shape.js';

/**
 * Checks a regular expression the way the validator will run it (a JSON Schema `pattern`, or a
 * PolicyLayer `regex` condition, which becomes one): it must be one RE2 can run, and a pattern
 * that would backtrack exponentially elsewhere is a warning.
 */
export function checkPattern(pattern: string, path: PolicyPath, target: 'key' | 'value', problems: ShapeProblem[], syntax: 'ecmascript' | 're2' = 'ecmascript'): void {
  // Patterns run on RE2, in linear time (src/policy/engine/linear-regexp.ts); one it cannot run is an error.
  const error = linearRegExpError(pattern, syntax);
  if (error !== undefined) {
    problems.push({
      path,
      target,
      ruleId: 'invalid-schema',
      message: `${formatPath(path)}: ${show(pattern)} is not a regular expression mcp-guard can run in linear time: ${error}; write it without backreferences or lookaround`,
    });
    return;
  }
  if (hasExponentialBacktracking(pattern)) {
    problems.push({
      path,
      target,
      ruleId: 'catastrophic-regex',
      message: `${formatPath(path)}: the pattern ${show(pattern)} can backtrack exponentially in a backtracking engine (nested or overlapping repetition): mcp-guard runs it in linear time, but a server that checks the same pattern could stall on one long argument`,
    });
  }
}
