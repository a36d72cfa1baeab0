import type { ErrorObject } from 'ajv';
import { type Ajv2020, compileSchema } from '../engine/ajv.js';
import { validate as validateGeneratedMetaSchema } from './json-schema-validator.generated.js';
import { checkPattern } from './pattern-check.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { nearest } from './suggest.js';
import { isObject } from '../engine/walk.js';
import { show, type ShapeProblem } from './policy-shape.js';

/**
 * Checks one `args` or `when` value as a JSON Schema (draft 2020-12): against the meta-schema,
 * with messages that name the keyword (`tools.c.args.type: "nonsense" is not a JSON Schema
 * type`); every `pattern` compiled as the validator will compile it; patterns that can
 * backtrack exponentially, and near-misses of keywords (which JSON Schema silently ignores),
 * as warnings; and finally a real compile, which catches what the meta-schema cannot ($ref
 * targets, `x-path-within` arguments).
 */
export function checkJsonSchema(schema: unknown, path: PolicyPath, ajv: Ajv2020): ShapeProblem[] {
  const problems: ShapeProblem[] = [];
  if (!validateMetaSchema(schema)) {
    const seen = new Set<string>();
    for (const error of validateMetaSchema.errors ?? []) {
      const problem = metaSchemaProblem(schema, path, error);
      if (problem && !seen.has(formatPath(problem.path))) {
        seen.add(formatPath(problem.path));
        problems.push(problem);
      }
    }
  }
  walkSchema(schema, path, problems);
  if (problems.some((p) => p.ruleId === 'invalid-schema')) return problems;
  try {
    compileSchema(ajv, schema as object);
  } catch (error) {
    problems.push({ path, target: 'value', ruleId: 'invalid-schema', message: `${formatPath(path)}: not a usable JSON Schema: ${(error as Error).message.split('\n')[0]}` });
  }
  return problems;
}

/** The draft 2020-12 meta-schema, compiled ahead of time (scripts/build-policy-validator.mjs). */
const validateMetaSchema = validateGeneratedMetaSchema as unknown as { (schema: unknown): boolean; errors?: ErrorObject[] | null };

const SIMPLE_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

function metaSchemaProblem(schema: unknown, base: PolicyPath, error: ErrorObject): ShapeProblem | undefined {
  if (error.keyword === 'anyOf' || error.keyword === 'oneOf') return undefined;
  const sub = pointerToPath(schema, error.instancePath);
  const path = [...base, ...sub];
  const value = valueIn(schema, sub);
  const key = sub[sub.length - 1];
  const parentKey = sub[sub.length - 2];
  const at = formatPath(path);
  if (key === 'type' || (typeof key === 'number' && parentKey === 'type')) {
    if (typeof value === 'string' || typeof key === 'number') {
      const suggestion = typeof value === 'string' ? nearest(value, SIMPLE_TYPES, 3) : undefined;
      return {
        path,
        target: 'value',
        ruleId: 'invalid-schema',
        message: `${at}: ${show(value)} is not a JSON Schema type; use ${SIMPLE_TYPES.slice(0, -1).join(', ')} or null${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`,
        ...(suggestion ? { suggestion } : {}),
      };
    }
    return { path, target: 'value', ruleId: 'invalid-schema', message: `${at}: ${show(value)} is not a JSON Schema type; use a type name or a list of them` };
  }
  const message = error.message ?? 'is not valid here';
  return { path, target: 'value', ruleId: 'invalid-schema', message: `${at}: ${show(value)} is not valid JSON Schema: ${message}` };
}

/** Keywords whose value is one schema, a list of schemas, or a map of names to schemas. */
const ONE_SCHEMA = new Set(['additionalProperties', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties', 'contentSchema', 'additionalItems']);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas']);

/** Every keyword of draft 2020-12 (and the older ones Ajv still reads), plus our own. */
const KEYWORDS = new Set([
  ...ONE_SCHEMA, ...SCHEMA_LIST, ...SCHEMA_MAP,
  '$schema', '$id', '$ref', '$anchor', '$dynamicRef', '$dynamicAnchor', '$vocabulary', '$comment', '$recursiveRef', '$recursiveAnchor',
  'type', 'const', 'enum', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required', 'dependentRequired',
  'dependencies', 'title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples', 'format', 'contentEncoding',
  'contentMediaType', 'x-path-within',
]);

function walkSchema(schema: unknown, path: PolicyPath, problems: ShapeProblem[]): void {
  if (!isObject(schema)) return;
  for (const [key, value] of Object.entries(schema)) {
    const at = [...path, key];
    if (key === 'pattern' && typeof value === 'string') checkPattern(value, at, 'value', problems);
    if (key === 'x-path-within' && !(Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === 'string' && r !== ''))) {
      problems.push({ path: at, target: 'value', ruleId: 'invalid-schema', message: `${formatPath(at)}: ${show(value)} is not a list of directories; use e.g. ["~/projects", "/tmp"]` });
    }
    if (ONE_SCHEMA.has(key)) walkSchema(value, at, problems);
    else if (SCHEMA_LIST.has(key) && Array.isArray(value)) value.forEach((s, i) => walkSchema(s, [...at, i], problems));
    else if (SCHEMA_MAP.has(key) && isObject(value)) {
      for (const [name, s] of Object.entries(value)) {
        if (key === 'patternProperties') checkPattern(name, [...at, name], 'key', problems);
        walkSchema(s, [...at, name], problems);
      }
    } else if (!KEYWORDS.has(key) && !key.startsWith('x-')) {
      const suggestion = nearest(key, KEYWORDS);
      if (suggestion) {
        problems.push({
          path: at,
          target: 'key',
          ruleId: 'unknown-schema-keyword',
          message: `${formatPath(at)}: ${JSON.stringify(key)} is not a JSON Schema keyword, so it checks nothing; did you mean ${JSON.stringify(suggestion)}?`,
          suggestion,
        });
      }
    }
  }
}

function pointerToPath(root: unknown, pointer: string): PolicyPath {
  if (pointer === '') return [];
  const out: Array<string | number> = [];
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(node) ? Number(key) : undefined;
    out.push(index ?? key);
    node = index !== undefined ? (node as unknown[])[index] : isObject(node) ? node[key] : undefined;
  }
  return out;
}

function valueIn(root: unknown, path: PolicyPath): unknown {
  let node = root;
  for (const key of path) node = typeof key === 'number' ? (node as unknown[] | undefined)?.[key] : isObject(node) ? node[key] : undefined;
  return node;
}
