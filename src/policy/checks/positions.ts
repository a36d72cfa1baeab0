import type { PolicyProblem } from '../problem.js';
import type { PolicySource } from '../source/source.js';
import { formatPath } from '../source/source-range.js';
import type { ShapeProblem } from './policy-shape.js';
import { policyRule } from './policy-rules.js';

/** The problems found, placed in the source and put in order after the source's own (syntax) ones. */
export function withPositions(source: PolicySource, found: ShapeProblem[], locate: PolicySource['locate']): PolicyProblem[] {
  const problems = found.map((p): PolicyProblem => ({
    file: source.file,
    ...locate(p.path, p.target),
    severity: policyRule(p.ruleId).severity,
    path: formatPath(p.path),
    ruleId: p.ruleId,
    message: p.message,
    ...(p.suggestion !== undefined ? { suggestion: p.suggestion } : {}),
  }));
  return [...source.problems, ...problems].sort((a, b) => a.line - b.line || a.column - b.column);
}
