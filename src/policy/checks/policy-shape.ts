import type { ErrorObject } from 'ajv';
import { validate as validateGenerated } from './policy-validator.generated.js';
import { isObject } from '../engine/walk.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { nearest } from './suggest.js';
import { WINDOW_NAMES } from '../engine/duration.js';
import { EXPECTED_DECISIONS } from '../engine/types.js';
import type { PolicyRuleId } from './policy-rules.js';
import { OPERATORS } from '../policylayer/conditions.js';

/** A shape problem before it has a file position: the checks above locate it. */
export interface ShapeProblem {
  path: PolicyPath;
  /** Point at the member's key (unknown keys) or its value. */
  target: 'key' | 'value';
  ruleId: PolicyRuleId;
  message: string;
  suggestion?: string;
}

const validatePolicyDocument = validateGenerated as unknown as { (data: unknown): boolean; errors?: ErrorObject[] | null };

/**
 * Checks the document against schema/policy.schema.json (compiled ahead of time, see
 * scripts/build-policy-validator.mjs) and turns Ajv's errors into one message per place, in the
 * words of SPEC §5: the offending value and what was expected.
 */
export function checkPolicyShape(doc: unknown): ShapeProblem[] {
  if (validatePolicyDocument(doc)) return [];
  const errors = validatePolicyDocument.errors ?? [];
  const problems: ShapeProblem[] = [];
  const done = new Set<string>();
  const add = (p: ShapeProblem) => {
    const key = `${p.ruleId}\u0000${formatPath(p.path)}`;
    if (done.has(key)) return;
    done.add(key);
    problems.push(p);
  };
  for (const error of errors) {
    const path = toPath(doc, error.instancePath);
    if (error.keyword === 'additionalProperties') {
      add(unknownKey(path, String(error.params.additionalProperty), Object.keys((error.parentSchema?.properties as object | undefined) ?? {})));
    } else if (error.keyword === 'required') {
      add(missingKey(path, String(error.params.missingProperty)));
    } else if (error.keyword === 'propertyNames' || error.propertyName !== undefined) {
      if (error.propertyName !== undefined) add({ path: [...path, error.propertyName], target: 'key', ruleId: 'invalid-value', message: `${formatPath(path)}: an empty name matches nothing` });
    } else {
      const value = valueAt(doc, path);
      // Errors from the branch of an anyOf that does not fit the value's type say nothing useful.
      if (isObject(value) && (error.keyword === 'type' || error.keyword === 'enum' || error.keyword === 'anyOf' || error.keyword === 'pattern')) {
        const slot = slotOf(path);
        if (slot === 'rule' || slot === 'rateLimit' || slot === 'caseCall' || slot === 'casePrompt') continue;
      }
      add(describeValue(path, value, error));
    }
  }
  return problems;
}

function unknownKey(parent: PolicyPath, key: string, known: string[]): ShapeProblem {
  const suggestion = nearest(key, known);
  const path = [...parent, key];
  const listed = known.filter((k) => k !== '$comment' && k !== '$schema');
  return {
    path,
    target: 'key',
    ruleId: 'unknown-key',
    message: `${formatPath(path)}: unknown key ${JSON.stringify(key)}; ${suggestion ? `did you mean ${JSON.stringify(suggestion)}?` : `expected ${orList(listed)} (notes go in "$comment")`}`,
    ...(suggestion ? { suggestion } : {}),
  };
}

function missingKey(path: PolicyPath, key: string): ShapeProblem {
  const hint =
    key === 'version' ? ' (add "version": "1")'
    : key === 'window' ? ' (e.g. "window": "minute")'
    : key === 'max' ? ' (the most calls, or units, per window)'
    : key === 'when' ? ' (a JSON Schema the arguments must match)'
    : key === 'expect' ? ` (the decision the case must get: ${EXPECTED_DECISIONS.join(', ')})`
    : '';
  return { path, target: 'value', ruleId: 'missing-key', message: `${formatPath(path)}: missing required key ${JSON.stringify(key)}${hint}` };
}

type Slot =
  | 'version' | 'default' | 'name' | 'rule' | 'action' | 'methodAction' | 'limits' | 'limit' | 'window' | 'max' | 'scope'
  | 'counter' | 'incrementFrom' | 'rateLimit' | 'schema' | 'timeout' | 'rules' | 'whenRule' | 'conditionOp'
  | 'tests' | 'testCase' | 'caseCall' | 'casePrompt' | 'expect' | 'repeat' | 'at' | 'state' | 'other';

/** What a place in the document holds, by the structure of the format (a key named "window" under tools is a tool). */
function slotOf(path: PolicyPath): Slot {
  const [top, second] = path;
  if (path.length === 1) return top === 'version' ? 'version' : top === 'default' ? 'default' : top === 'state' ? 'state' : 'other';
  if (top === 'hide' && path.length === 2) return 'name';
  if (top === 'methods' && path.length === 2) return second === '$comment' ? 'other' : 'methodAction';
  if (top === 'approval' && second === 'timeout' && path.length === 2) return 'timeout';
  if (top === 'tests') return testSlot(path.slice(1));
  let rest: PolicyPath;
  if (top === 'all_tools') {
    if (second !== 'limits') return 'other';
    return limitSlot(path.slice(2));
  }
  if (top === 'tools' || top === 'resources' || top === 'prompts') {
    if (path.length === 2) return second === '$comment' ? 'other' : 'rule';
    rest = path.slice(2);
  } else {
    return 'other';
  }
  const [key, index, ...more] = rest;
  if (key === 'action' && rest.length === 1) return 'action';
  if (key === 'limits') return limitSlot(rest.slice(1));
  if (key === 'rate_limit') return rest.length === 1 ? 'rateLimit' : limitField(rest.slice(1));
  if (key === 'args') return rest.length === 1 ? 'schema' : 'other';
  if (key === 'require' || key === 'deny_if') {
    // PolicyLayer's [{ conditions: [{ path, op, value }], on_deny }]
    if (rest.length === 1) return 'rules';
    if (rest.length === 2) return 'whenRule';
    if (more[0] !== 'conditions') return 'other';
    if (more.length === 1) return 'rules';
    if (more.length === 2) return 'whenRule';
    return more.length === 3 && more[2] === 'op' ? 'conditionOp' : 'other';
  }
  if (key === 'rules') {
    if (rest.length === 1) return 'rules';
    if (rest.length === 2) return 'whenRule';
    const [field] = more;
    if (typeof index !== 'number') return 'other';
    if (field === 'action' && more.length === 1) return 'action';
    if (field === 'when' && more.length === 1) return 'schema';
    if (field === 'limits') return limitSlot(more.slice(1));
  }
  return 'other';
}

/** Places in the `tests` list (the list itself, a case, or a field of one). */
function testSlot(rest: PolicyPath): Slot {
  if (rest.length === 0) return 'tests';
  if (rest.length === 1) return typeof rest[0] === 'number' ? 'testCase' : 'other';
  if (rest.length !== 2) return 'other';
  const field = rest[1];
  return field === 'call' ? 'caseCall' : field === 'prompt' ? 'casePrompt' : field === 'expect' ? 'expect' : field === 'repeat' ? 'repeat' : field === 'at' ? 'at' : 'other';
}

function limitSlot(rest: PolicyPath): Slot {
  if (rest.length === 0) return 'limits';
  if (rest.length === 1) return 'limit';
  return limitField(rest.slice(1));
}

function limitField(rest: PolicyPath): Slot {
  if (rest.length !== 1) return 'other';
  const field = rest[0];
  return field === 'window' ? 'window' : field === 'max' ? 'max' : field === 'scope' ? 'scope' : field === 'counter' ? 'counter' : field === 'increment_from' ? 'incrementFrom' : 'other';
}

const ACTIONS = ['allow', 'deny', 'hide', 'ask'];

/** One message for a wrong value, by what the place holds. */
export function describeValue(path: PolicyPath, value: unknown, error?: ErrorObject): ShapeProblem {
  const at = formatPath(path);
  const shown = show(value);
  const problem = (ruleId: PolicyRuleId, text: string, choices?: readonly string[]): ShapeProblem => {
    const suggestion = typeof value === 'string' && choices ? nearest(value, choices, 3) : undefined;
    return { path, target: 'value', ruleId, message: `${at}: ${text}${suggestion ? `; did you mean ${JSON.stringify(suggestion)}?` : ''}`, ...(suggestion ? { suggestion } : {}) };
  };
  switch (slotOf(path)) {
    case 'version':
      return problem('invalid-version', `${shown} is not a supported version; use "1"${value === 1 ? ' (a string, in quotes)' : ''}`);
    case 'default':
      return problem('invalid-action', `${shown} is not a default; use allow, deny or ask${value === 'hide' ? ' (hide is for entries)' : ''}`, ['allow', 'deny', 'ask']);
    case 'action':
      return problem('invalid-action', `${shown} is not an action; use allow, deny, hide or ask`, ACTIONS);
    case 'methodAction':
      return problem('invalid-action', `${shown} is not an action for a method; use allow or deny${value === 'ask' || value === 'hide' ? ' (methods cannot ask or hide)' : ''}`, ['allow', 'deny']);
    case 'rule':
      if (typeof value === 'string') return problem('invalid-action', `${shown} is not an action; use allow, deny, hide or ask, or a rule object`, ACTIONS);
      return problem('wrong-type', `expected an action ("allow", "deny", "hide" or "ask") or a rule object, found ${typeName(value)}`);
    case 'window':
      return problem('invalid-window', windowMessage(value), WINDOW_NAMES);
    case 'max':
      return problem('invalid-max', `${shown} is not a valid max; use a whole number, 0 or more`);
    case 'scope':
      return problem('invalid-scope', `${shown} is not a scope; use session or grant`, ['session', 'grant']);
    case 'counter':
      return problem('invalid-value', `${shown} is not a counter name; use a non-empty string`);
    case 'conditionOp':
      return problem('invalid-value', `${shown} is not a condition operator; use ${orList(OPERATORS.map((o) => `"${o}"`))}`, OPERATORS);
    case 'incrementFrom':
      return problem('invalid-value', `${shown} is not an argument path; use a dot path like "amount" or "order.total"`);
    case 'rateLimit':
      if (typeof value === 'string') return problem('invalid-rate-limit', rateLimitMessage(value));
      return problem('wrong-type', `expected a rate like "10/minute" or a limit object, found ${typeName(value)}`);
    case 'schema':
      return problem('invalid-schema', `expected a JSON Schema (an object, or true/false), found ${typeName(value)}`);
    case 'timeout':
      return problem('invalid-value', `${shown} is not a timeout; use a number of seconds, 0 or more`);
    case 'state':
      return problem('invalid-value', `${shown} is not a state URL; use "sqlite:<dir>", "redis://host:port/db" or "rediss://…" (TLS)`);
    case 'name':
      if (typeof value === 'string') return problem('invalid-value', 'an empty name matches nothing');
      return problem('wrong-type', `expected a tool name or glob (a string), found ${typeName(value)}`);
    case 'limits':
    case 'rules':
    case 'tests':
      return problem('wrong-type', `expected a list, found ${typeName(value)}${isObject(value) ? ' (wrap it in [ ])' : ''}`);
    case 'limit':
    case 'whenRule':
    case 'testCase':
      return problem('wrong-type', `expected an object, found ${typeName(value)}`);
    case 'expect':
      return problem('invalid-value', `${shown} is not a decision; use ${orList(EXPECTED_DECISIONS)}`, EXPECTED_DECISIONS);
    case 'caseCall':
      if (value === '') return problem('invalid-value', 'an empty tool name calls nothing');
      return problem('wrong-type', `expected a tool name or { "tool": "<name>", "arguments": { ... } }, found ${typeName(value)}`);
    case 'casePrompt':
      if (value === '') return problem('invalid-value', 'an empty prompt name gets nothing');
      return problem('wrong-type', `expected a prompt name or { "name": "<name>", "arguments": { ... } }, found ${typeName(value)}`);
    case 'repeat':
      return problem('invalid-value', `${shown} is not a number of calls; use a whole number from 1 to 100000`);
    case 'at':
      return problem('invalid-value', `${shown} is not a time; use seconds on the test's clock, 0 or more`);
    default:
      if (error?.keyword === 'type') return problem('wrong-type', `expected ${expectedTypes(error.params.type)}, found ${typeName(value)}`);
      if (error?.keyword === 'const' || error?.keyword === 'enum') {
        const allowed = (error.keyword === 'const' ? [error.params.allowedValue] : (error.params.allowedValues as unknown[])).map((v) => JSON.stringify(v));
        return problem('invalid-value', `${shown} is not allowed here; use ${orList(allowed)}`);
      }
      return problem('invalid-value', `${shown} ${error?.message ?? 'is not allowed here'}`);
  }
}

export function windowMessage(value: unknown): string {
  return `${show(value)} is not a window; use second, minute, hour, day, a number of seconds or a duration like "15m"${typeof value === 'number' && value <= 0 ? ' (more than 0)' : ''}`;
}

export function rateLimitMessage(value: string): string {
  return `${show(value)} is not a rate limit; use "<count>/<window>" like "10/minute", "5/hour" or "100/15m", or a limit object`;
}

/** A value as the message shows it: JSON, cut short. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'boolean') return `a boolean (${value})`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'string') return `a string (${show(value)})`;
  return typeof value;
}

function expectedTypes(type: unknown): string {
  const names: Record<string, string> = { object: 'an object', array: 'a list', string: 'a string', number: 'a number', integer: 'a whole number', boolean: 'true or false', null: 'null' };
  const list = (Array.isArray(type) ? type : String(type).split(',')).map((t: string) => names[t] ?? t);
  return orList(list);
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function toPath(doc: unknown, pointer: string): PolicyPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let node = doc;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      path.push(Number(key));
      node = node[Number(key)];
    } else {
      path.push(key);
      node = isObject(node) ? node[key] : undefined;
    }
  }
  return path;
}

export function valueAt(doc: unknown, path: PolicyPath): unknown {
  let node = doc;
  for (const key of path) {
    if (typeof key === 'number') node = Array.isArray(node) ? node[key] : undefined;
    else node = isObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
  }
  return node;
}
