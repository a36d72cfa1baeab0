import { argumentPath, type Operator } from '../policylayer/conditions.js';
import { POLICYLAYER_KEYS, translatePolicyLayer } from '../policylayer/translate.js';
import { entries, isObject, limits } from '../engine/walk.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { checkPattern } from './pattern-check.js';
import { show, type ShapeProblem } from './policy-shape.js';

/**
 * What the schema cannot say about PolicyLayer's `require`/`deny_if` conditions (an argument path,
 * a value of the kind its op compares), as errors; and, for each PolicyLayer construct that is
 * well-formed, an info note with the native form it is judged as (src/policy/policylayer/).
 * `fresh` tells whether the schema already complained about a place; `earlier` is what it said.
 */
export function policyLayerProblems(doc: unknown, fresh: (path: PolicyPath) => boolean, earlier: readonly ShapeProblem[] = []): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  for (const entry of entries(doc)) {
    if (!isObject(entry.rule)) continue;
    for (const key of POLICYLAYER_KEYS) {
      const list = entry.rule[key];
      if (!Array.isArray(list)) continue;
      list.forEach((item, i) => {
        if (!isObject(item) || !Array.isArray(item.conditions)) return;
        item.conditions.forEach((condition, j) => {
          if (isObject(condition)) problems.push(...conditionProblems(condition, [...entry.path, key, i, 'conditions', j], fresh));
        });
      });
    }
  }
  // A note for what is broken would show a native form of something that does not load.
  const broken = [...earlier, ...problems].filter((p) => p.ruleId !== 'catastrophic-regex').map((p) => p.path);
  const within = (inner: PolicyPath, outer: PolicyPath) => outer.every((segment, n) => inner[n] === segment);
  const { changes } = translatePolicyLayer(doc);
  for (const change of changes) {
    if (broken.some((b) => within(b, change.path) || within(change.path, b))) continue;
    problems.push({ path: change.path, target: 'value', ruleId: 'policylayer', message: change.message });
  }
  // In a policy written for PolicyLayer, a limit without a scope is one place where the two differ.
  if (changes.length > 0) {
    for (const { limit, path } of limits(doc)) {
      if (!isObject(limit) || limit.scope !== undefined) continue;
      problems.push({
        path,
        target: 'value',
        ruleId: 'policylayer',
        message: `${formatPath(path)}: counts per session (this mcp-guard process), the native default; PolicyLayer counts quotas per grant: add "scope": "grant" to share it across sessions and restarts as PolicyLayer does`,
      });
    }
  }
  return problems;
}

const NUMERIC: ReadonlySet<string> = new Set(['lt', 'lte', 'gt', 'gte']);

function conditionProblems(condition: Record<string, unknown>, at: PolicyPath, fresh: (path: PolicyPath) => boolean): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  const pathAt = [...at, 'path'];
  if (typeof condition.path === 'string' && condition.path !== '' && fresh(pathAt) && !argumentPath(condition.path)) {
    const hint = condition.path.startsWith('state.')
      ? '; counters are written as "limits" here (window, max, counter, increment_from)'
      : condition.path.startsWith('args.')
        ? ''
        : `; did you mean ${JSON.stringify(`args.${condition.path}`)}?`;
    problems.push({
      path: pathAt,
      target: 'value',
      ruleId: 'invalid-condition',
      message: `${formatPath(pathAt)}: ${show(condition.path)} is not an argument path; write "args." and the argument, a dot for each level ("args.amount", "args.order.total")${hint}`,
      ...(hint.startsWith('; did you mean') ? { suggestion: `args.${condition.path}` } : {}),
    });
  }
  const op = condition.op as Operator;
  const valueAt = [...at, 'value'];
  if (typeof condition.op !== 'string' || !Object.hasOwn(condition, 'value') || !fresh([...at, 'op']) || !fresh(valueAt)) return problems;
  const value = condition.value;
  const wrong = (expected: string) =>
    problems.push({ path: valueAt, target: 'value', ruleId: 'invalid-condition', message: `${formatPath(valueAt)}: ${show(value)} is not ${expected}; "${op}" compares ${expected}${typeof value === 'string' && expected === 'a number' && value.trim() !== '' && Number.isFinite(Number(value)) ? ` (write ${value} without quotes)` : ''}` });
  if (NUMERIC.has(op) && typeof value !== 'number') wrong('a number');
  else if ((op === 'in' || op === 'not_in') && !Array.isArray(value)) wrong('a list');
  else if (op === 'exists' && typeof value !== 'boolean') wrong('true or false');
  else if (op === 'regex') {
    if (typeof value !== 'string') wrong('a regular expression (a string)');
    else checkPattern(value, valueAt, 'value', problems, 're2');
  }
  return problems;
}
