import type { PolicyProblem } from '../problem.js';
import { parseRateLimit, parseWindow } from '../engine/duration.js';
import { compileGlob } from '../engine/glob.js';
import { checkPolicyShape, rateLimitMessage, type ShapeProblem, windowMessage } from './policy-shape.js';
import { withPositions } from './positions.js';
import { openPathArgs } from './open-path-args.js';
import { policyWarnings } from './policy-warnings.js';
import { policyLayerProblems } from './policylayer.js';
import { translatePolicyLayer } from '../policylayer/translate.js';
import { testCaseProblems } from './test-cases.js';
import type { PolicySource } from '../source/source.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { entries, isObject, limits, schemas } from '../engine/walk.js';

/**
 * The one validation of a policy, used by `run` (which refuses a policy with any error) and by
 * `lint` (which prints everything): syntax, the schema, what the schema cannot say (windows,
 * rates, globs, args/when as JSON Schema) and the warnings of SPEC §5. Sorted by position.
 * Ajv and the meta-schema validator are imported only when the policy has `args`/`when`
 * schemas: together they cost ~50 ms of start-up.
 */
export async function validatePolicy(source: PolicySource): Promise<PolicyProblem[]> {
  if (source.value === undefined) return source.problems;
  const doc = source.value;
  const found: ShapeProblem[] = checkPolicyShape(doc);
  // Places the schema already complained about get no second message.
  const reported = new Set(found.map((p) => formatPath(p.path)));
  const fresh = (path: PolicyPath) => !reported.has(formatPath(path));

  found.push(...policyLayerProblems(doc, fresh, found));
  for (const { limit, path } of limits(doc)) {
    if (isObject(limit) && limit.window !== undefined && fresh([...path, 'window']) && parseWindow(limit.window) === undefined) {
      found.push({ path: [...path, 'window'], target: 'value', ruleId: 'invalid-window', message: `${formatPath([...path, 'window'])}: ${windowMessage(limit.window)} (more than 0 and at most a year)` });
    }
  }
  for (const entry of entries(doc)) {
    const path = [...entry.path, 'rate_limit'];
    const rate = isObject(entry.rule) ? entry.rule.rate_limit : undefined;
    if (typeof rate === 'string' && fresh(path) && parseRateLimit(rate) === undefined) {
      found.push({ path, target: 'value', ruleId: 'invalid-rate-limit', message: `${formatPath(path)}: ${rateLimitMessage(rate)} (the window: more than 0 and at most a year)` });
    }
    if (fresh(entry.path)) {
      const error = globError(entry.key, entry.map === 'resources' ? 'uri' : 'name');
      if (error) found.push({ path: entry.path, target: 'key', ruleId: 'invalid-glob', message: `${formatPath(entry.path)}: ${error}` });
    }
  }
  if (isObject(doc) && Array.isArray(doc.hide)) {
    doc.hide.forEach((name, i) => {
      const error = typeof name === 'string' && name !== '' ? globError(name, 'name') : undefined;
      if (error) found.push({ path: ['hide', i], target: 'value', ruleId: 'invalid-glob', message: `${formatPath(['hide', i])}: ${error}` });
    });
  }
  const visits = [...schemas(doc)].filter((v) => (isObject(v.schema) || typeof v.schema === 'boolean') && fresh(v.path));
  if (visits.length > 0) {
    const [{ createAjv }, { checkJsonSchema }, { hostFileSystem }] = await Promise.all([
      import('../engine/ajv.js'),
      import('./schema-check.js'),
      import('../host-file-system.js'),
    ]);
    const ajv = createAjv({ allErrors: true, pathEnv: hostFileSystem() });
    for (const visit of visits) found.push(...checkJsonSchema(visit.schema, visit.path, ajv));
  }
  found.push(...policyWarnings(doc, (path) => source.locate(path).line));
  found.push(...openPathArgs(doc));
  // A case names the rule paths decisions report: those of the native form (PolicyLayer's require/deny_if translated).
  if (isObject(doc)) found.push(...testCaseProblems(translatePolicyLayer(doc).document, doc.tests, ['tests']));

  return withPositions(source, found, source.locate);
}


function globError(pattern: string, kind: 'name' | 'uri'): string | undefined {
  try {
    compileGlob(pattern, kind);
    return undefined;
  } catch (error) {
    return `${(error as Error).message}; escape literal characters with "\\"`;
  }
}
