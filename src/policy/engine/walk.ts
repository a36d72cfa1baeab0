import type { PolicyPath } from './types.js';

/**
 * Visits the parts of a policy document that checks care about, tolerating any shape: the
 * document may be invalid, and every check after the schema must still not throw on it.
 */

type Json = Record<string, unknown>;

export const RULE_MAPS = ['tools', 'resources', 'prompts'] as const;
export type RuleMapName = (typeof RULE_MAPS)[number];

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export interface EntryVisit {
  map: RuleMapName;
  key: string;
  rule: unknown;
  path: PolicyPath;
}

/** Every entry of `tools`, `resources` and `prompts`, in file order (`$comment` keys are notes, not entries). */
export function* entries(doc: unknown): Generator<EntryVisit> {
  if (!isObject(doc)) return;
  for (const map of RULE_MAPS) {
    const table = doc[map];
    if (!isObject(table)) continue;
    for (const [key, rule] of Object.entries(table)) {
      if (key === '$comment') continue;
      yield { map, key, rule, path: [map, key] };
    }
  }
}

export interface LimitVisit {
  limit: unknown;
  path: PolicyPath;
  /** The entry the limit belongs to, or undefined for `all_tools`. */
  entry: EntryVisit | undefined;
}

/** Every limit: `all_tools.limits`, each entry's `limits`, object `rate_limit` and `rules[].limits`. */
export function* limits(doc: unknown): Generator<LimitVisit> {
  if (!isObject(doc)) return;
  if (isObject(doc.all_tools) && Array.isArray(doc.all_tools.limits)) {
    for (const [i, limit] of doc.all_tools.limits.entries()) yield { limit, path: ['all_tools', 'limits', i], entry: undefined };
  }
  for (const entry of entries(doc)) {
    const rule = entry.rule;
    if (!isObject(rule)) continue;
    if (Array.isArray(rule.limits)) for (const [i, limit] of rule.limits.entries()) yield { limit, path: [...entry.path, 'limits', i], entry };
    if (isObject(rule.rate_limit)) yield { limit: rule.rate_limit, path: [...entry.path, 'rate_limit'], entry };
    if (Array.isArray(rule.rules)) {
      for (const [r, when] of rule.rules.entries()) {
        if (isObject(when) && Array.isArray(when.limits)) {
          for (const [i, limit] of when.limits.entries()) yield { limit, path: [...entry.path, 'rules', r, 'limits', i], entry };
        }
      }
    }
  }
}

export interface SchemaVisit {
  schema: unknown;
  path: PolicyPath;
  entry: EntryVisit;
  kind: 'args' | 'when';
}

/** Every `args` and `rules[].when` schema. */
export function* schemas(doc: unknown): Generator<SchemaVisit> {
  for (const entry of entries(doc)) {
    const rule = entry.rule;
    if (!isObject(rule)) continue;
    if (rule.args !== undefined) yield { schema: rule.args, path: [...entry.path, 'args'], entry, kind: 'args' };
    if (Array.isArray(rule.rules)) {
      for (const [i, when] of rule.rules.entries()) {
        if (isObject(when) && when.when !== undefined) yield { schema: when.when, path: [...entry.path, 'rules', i, 'when'], entry, kind: 'when' };
      }
    }
  }
}

/** The action of an entry (a string rule, or an object's `action`, default allow), when it is one. */
export function actionOf(rule: unknown): string | undefined {
  if (typeof rule === 'string') return rule;
  if (isObject(rule)) return typeof rule.action === 'string' ? rule.action : 'allow';
  return undefined;
}
