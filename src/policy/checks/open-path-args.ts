import { formatPath, type PolicyPath } from '../source/source-range.js';
import { actionOf, isObject, schemas } from '../engine/walk.js';
import type { ShapeProblem } from './policy-shape.js';

/**
 * `open-path-args`: an `args` schema that names a path but lets through arguments it does not
 * name. The schema checks `path`; a server may read another member as the path instead: `Path`
 * (Go's decoder matches names case-insensitively; mcp-guard refuses that one itself), but also
 * `file_path`, `venv_path` or a member the policy's author never heard of, which nothing checks.
 * `"additionalProperties": false` closes that door.
 *
 * A property is a path when its schema uses `x-path-within` (on the value, on the `items` of a
 * list of paths, or in a branch), or when its name says so: one of its words (camelCase, snake_case,
 * kebab-case) is path, file, dir, directory, folder, cwd, uri or url, in the singular or plural,
 * and its schema does not declare a type that cannot hold one (boolean, number, integer, null).
 */
export function openPathArgs(doc: unknown): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  for (const visit of schemas(doc)) {
    if (visit.kind !== 'args' || visit.entry.map !== 'tools') continue;
    // A tool that is denied or hidden never runs, whatever its arguments.
    const action = actionOf(visit.entry.rule);
    if (action === 'deny' || action === 'hide') continue;
    checkObjects(visit.schema, visit.path, false, out, 0);
  }
  return out;
}

const PATH_WORDS = new Set(['path', 'paths', 'pathname', 'filepath', 'file', 'files', 'filename', 'filenames', 'dir', 'dirs', 'dirname', 'directory', 'directories', 'folder', 'folders', 'cwd', 'uri', 'uris', 'url', 'urls']);
const NOT_A_PATH_TYPE = new Set(['boolean', 'number', 'integer', 'null']);
/** Keywords whose schemas apply to the same object as their parent. */
const SAME_INSTANCE = ['allOf', 'anyOf', 'oneOf'];
const SAME_INSTANCE_ONE = ['if', 'then', 'else'];
const MAX_DEPTH = 64;

function checkObjects(schema: unknown, path: PolicyPath, closedAbove: boolean, out: ShapeProblem[], depth: number): void {
  if (!isObject(schema) || depth > MAX_DEPTH) return;
  const closed = closedAbove || schema.additionalProperties === false || schema.unevaluatedProperties === false;
  const properties = isObject(schema.properties) ? schema.properties : {};
  if (!closed) {
    const named = Object.entries(properties).find(([name, sub]) => isPathProperty(name, sub));
    if (named) {
      out.push({
        path,
        target: 'key',
        ruleId: 'open-path-args',
        message: `${formatPath(path)}: takes a path (${JSON.stringify(named[0])}) but lets through arguments it does not name, and a server may read one of those as the path instead (another spelling, or a member you did not know it had); add "additionalProperties": false and list every argument the tool takes`,
      });
    }
  }
  for (const [name, sub] of Object.entries(properties)) checkObjects(sub, [...path, 'properties', name], false, out, depth + 1);
  if (isObject(schema.items)) checkObjects(schema.items, [...path, 'items'], false, out, depth + 1);
  if (Array.isArray(schema.prefixItems)) schema.prefixItems.forEach((sub, i) => checkObjects(sub, [...path, 'prefixItems', i], false, out, depth + 1));
  // Branches describe the same object: a closing keyword on it covers them.
  for (const key of SAME_INSTANCE) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((sub, i) => checkObjects(sub, [...path, key, i], closed, out, depth + 1));
  }
  for (const key of SAME_INSTANCE_ONE) checkObjects(schema[key], [...path, key], closed, out, depth + 1);
  if (isObject(schema.dependentSchemas)) {
    for (const [name, sub] of Object.entries(schema.dependentSchemas)) checkObjects(sub, [...path, 'dependentSchemas', name], closed, out, depth + 1);
  }
}

function isPathProperty(name: string, schema: unknown): boolean {
  if (usesPathWithin(schema, 0)) return true;
  if (isObject(schema)) {
    const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type : undefined;
    if (types && types.every((t) => NOT_A_PATH_TYPE.has(t as string))) return false;
  }
  return words(name).some((w) => PATH_WORDS.has(w));
}

/** Keys under which a schema describes members of an object, which are that object's business. */
const MEMBER_KEYS = new Set(['properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'dependentSchemas', 'propertyNames']);

/** `x-path-within` on the value itself, on the elements of a list of paths, or in a branch. */
function usesPathWithin(schema: unknown, depth: number): boolean {
  if (schema === null || typeof schema !== 'object' || depth > MAX_DEPTH) return false;
  if (Array.isArray(schema)) return schema.some((v) => usesPathWithin(v, depth + 1));
  if ('x-path-within' in schema) return true;
  return Object.entries(schema).some(([key, v]) => !MEMBER_KEYS.has(key) && usesPathWithin(v, depth + 1));
}

/** `venvPath` → venv, path; `file_name` → file, name; `HTMLFile` → html, file. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}
