/**
 * PolicyLayer's argument conditions (`{ "path": "args.amount", "op": "gt", "value": 10000 }`)
 * as JSON Schemas over a call's `arguments`, so that the engine only ever judges native `when`
 * schemas. Pure: no I/O.
 *
 * Three outcomes per condition, as PolicyLayer's engine reads them, plus one it leaves open:
 * - the argument is missing (or, for `exists`, null): the condition does not hold;
 * - the argument is there and the operator can compare it: it holds or not;
 * - the argument is there but of a type the operator cannot compare (a string where `gt` wants a
 *   number): "undecidable". mcp-guard refuses such a call either way: it fails a `require` and
 *   counts as matching a `deny_if`, because a server may well read "20000" as 20000.
 */
import { re2Pattern } from '../engine/pattern-syntax.js';

export const OPERATORS = ['eq', 'neq', 'in', 'not_in', 'lt', 'lte', 'gt', 'gte', 'regex', 'contains', 'exists'] as const;
export type Operator = (typeof OPERATORS)[number];

export interface Condition {
  path: string;
  op: Operator;
  value: unknown;
}

export type Schema = Record<string, unknown> | boolean;
type JsonType = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** The argument path a condition reads, without PolicyLayer's `args.` root: "args.order.total" → ["order", "total"]. */
export function argumentPath(path: string): string[] | undefined {
  if (!path.startsWith('args.')) return undefined;
  const segments = path.slice('args.'.length).split('.');
  return segments.every((s) => s !== '') ? segments : undefined;
}

/** Whether `value` is of the kind `op` compares with (a number for gt, a list for in...). */
export function valueFits(op: string, value: unknown): op is Operator {
  switch (op) {
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return typeof value === 'number' && Number.isFinite(value);
    case 'in':
    case 'not_in':
      return Array.isArray(value);
    case 'exists':
      return typeof value === 'boolean';
    case 'regex':
      return typeof value === 'string';
    case 'eq':
    case 'neq':
    case 'contains':
      return value !== undefined;
    default:
      return false;
  }
}

export function jsonType(value: unknown): JsonType {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : (typeof value as 'boolean' | 'number' | 'string');
}

/** "The argument at `path` exists and its value satisfies `schema`", as a schema over the arguments object. */
function at(path: string[], schema: Schema): Schema {
  let inner = schema;
  for (let i = path.length - 1; i >= 0; i--) {
    const level: Record<string, unknown> = { required: [path[i]], properties: { [path[i]!]: inner } };
    // The arguments themselves are always an object; deeper levels must be checked to be one.
    inner = i === 0 ? level : { type: 'object', ...level };
  }
  return inner;
}

function typesOf(values: unknown[]): JsonType[] {
  return [...new Set(values.map(jsonType))];
}

function typeSchema(types: JsonType[]): unknown {
  return types.length === 1 ? types[0] : types;
}

/** The JSON types an operator can compare the argument with; undefined: any value can be compared. */
function comparable(c: Condition): JsonType[] | undefined {
  switch (c.op) {
    case 'eq':
    case 'neq':
      return [jsonType(c.value)];
    case 'in':
    case 'not_in': {
      const list = Array.isArray(c.value) ? c.value : [];
      return list.length === 0 ? undefined : typesOf(list);
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return ['number'];
    case 'regex':
      return ['string'];
    case 'contains':
      return typeof c.value === 'string' ? ['string', 'array'] : ['array'];
    case 'exists':
      return undefined;
  }
}

const BOUND: Record<'lt' | 'lte' | 'gt' | 'gte', string> = { lt: 'exclusiveMaximum', lte: 'maximum', gt: 'exclusiveMinimum', gte: 'minimum' };

/** A literal for a JSON Schema `pattern`: the characters regular expressions treat specially, escaped. */
export function literalPattern(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** What the argument's value must be for the condition to hold (it is present; `exists` is handled apart). */
function holds(c: Condition): Schema {
  const list = Array.isArray(c.value) ? c.value : [];
  switch (c.op) {
    case 'eq':
      return { const: c.value };
    case 'neq':
      return { type: jsonType(c.value), not: { const: c.value } };
    case 'in':
      return list.length === 0 ? false : { enum: list };
    case 'not_in':
      return list.length === 0 ? true : { type: typeSchema(typesOf(list)), not: { enum: list } };
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { type: 'number', [BOUND[c.op]]: c.value };
    case 'regex':
      return { type: 'string', pattern: re2Pattern(c.value as string) };
    case 'contains': {
      const inList = { type: 'array', contains: { const: c.value } };
      return typeof c.value === 'string' ? { anyOf: [{ type: 'string', pattern: literalPattern(c.value) }, inList] } : inList;
    }
    case 'exists':
      return { not: { type: 'null' } };
  }
}

/** Holds, or the value is of a type the operator cannot compare (written compactly where JSON Schema allows). */
function holdsOrUndecidable(c: Condition): Schema {
  switch (c.op) {
    // Numeric bounds and `pattern` apply to numbers and strings only: anything else passes them.
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return { [BOUND[c.op]]: c.value };
    case 'regex':
      return { pattern: re2Pattern(c.value as string) };
    case 'neq':
      return { not: { const: c.value } };
    case 'not_in':
      return Array.isArray(c.value) && c.value.length > 0 ? { not: { enum: c.value } } : true;
    default: {
      const types = comparable(c);
      return types ? { anyOf: [holds(c), { not: { type: typeSchema(types) } }] } : holds(c);
    }
  }
}

/** The condition holds, as a schema over the arguments. */
export function conditionHolds(c: Condition, path: string[]): Schema {
  if (c.op === 'exists') {
    const present = at(path, { not: { type: 'null' } });
    return c.value === true ? present : { not: present };
  }
  return at(path, holds(c));
}

/** The condition holds or cannot be decided, as a schema over the arguments. */
export function conditionMatchesForDeny(c: Condition, path: string[]): Schema {
  if (c.op === 'exists') return conditionHolds(c, path);
  return at(path, holdsOrUndecidable(c));
}

/** `when` for a `require` entry: the call is refused unless every condition holds. */
export function requireWhen(conditions: Array<{ condition: Condition; path: string[] }>): Schema {
  const all = conditions.map(({ condition, path }) => conditionHolds(condition, path));
  return { not: all.length === 1 ? all[0] : { allOf: all } };
}

/** `when` for a `deny_if` entry: the call is refused when every condition holds (or cannot be decided). */
export function denyIfWhen(conditions: Array<{ condition: Condition; path: string[] }>): Schema {
  const all = conditions.map(({ condition, path }) => conditionMatchesForDeny(condition, path));
  return all.length === 1 ? all[0]! : { allOf: all };
}

const TYPE_WORDS: Record<JsonType, string> = { null: 'null', boolean: 'true or false', number: 'a number', string: 'a string', array: 'a list', object: 'an object' };

/** A condition in words: "args.amount is greater than 10000" (`is`), or "args.amount to be at most 50000" (`to be`). */
export function describeCondition(c: Condition, mood: 'is' | 'to be'): string {
  const v = JSON.stringify(c.value);
  const is = mood === 'is';
  switch (c.op) {
    case 'eq':
      return `${c.path} ${is ? 'equals' : 'to equal'} ${v}`;
    case 'neq':
      return `${c.path} ${is ? 'differs from' : 'to differ from'} ${v}`;
    case 'in':
      return `${c.path} ${is ? 'is one of' : 'to be one of'} ${v}`;
    case 'not_in':
      return `${c.path} ${is ? 'is not one of' : 'not to be one of'} ${v}`;
    case 'lt':
      return `${c.path} ${mood} less than ${v}`;
    case 'lte':
      return `${c.path} ${mood} at most ${v}`;
    case 'gt':
      return `${c.path} ${mood} greater than ${v}`;
    case 'gte':
      return `${c.path} ${mood} at least ${v}`;
    case 'regex':
      return `${c.path} ${is ? 'matches' : 'to match'} the pattern ${v}`;
    case 'contains':
      return `${c.path} ${is ? 'contains' : 'to contain'} ${v}`;
    case 'exists':
      return `${c.path} ${mood} ${c.value === true ? 'present' : 'absent'}`;
  }
}

/** For `deny_if` reasons: what else makes the condition match ("or is not a number"). */
export function undecidableWords(c: Condition): string | undefined {
  const types = c.op === 'exists' ? undefined : comparable(c);
  if (!types) return undefined;
  return `or is not ${types.map((t) => TYPE_WORDS[t]).join(' or ')}`;
}
