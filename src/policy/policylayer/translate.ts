import { entries, isObject } from '../engine/walk.js';
import type { PolicyPath } from '../engine/types.js';
import { formatPath } from '../source/source-range.js';
import { argumentPath, type Condition, denyIfWhen, describeCondition, requireWhen, undecidableWords, valueFits } from './conditions.js';

/**
 * PolicyLayer's JSON policy (its "Writing policies" page) in mcp-guard's native format. Both
 * `run` (at load time) and `lint --fix` (into the file) use this one translation, so a policy
 * decides the same before and after it is rewritten, down to the rule paths in decisions.
 *
 * What it rewrites, per entry of `tools` (and of `resources`/`prompts`, where the same keys mean
 * the same over their arguments):
 * - `require: [{ conditions, on_deny? }]` → a `rules` entry `{ when: <not all conditions hold>,
 *   action: "deny", reason }`; an entry with no conditions is always met and is dropped;
 * - `deny_if: [{ conditions, on_deny? }]` → `{ when: <all conditions hold>, action: "deny",
 *   reason }`; one with no conditions denies every call: the entry's own `action: "deny"`;
 * - a limit's `increment_from: "args.amount"` (PolicyLayer writes argument paths from `args.`) →
 *   `"amount"`, in `all_tools` and every entry.
 * The generated rules come first, before the entry's own `rules`, in file order (`require`, then
 * `deny_if`): a refusal PolicyLayer would make can never be overridden by a later native rule.
 * Pure; tolerant of any shape (what is not well-formed is left alone, for validation to report).
 */

export interface PolicyLayerChange {
  /** Where the PolicyLayer construct is in the file. */
  path: PolicyPath;
  /** What it is, and what mcp-guard makes of it (lint's note). */
  message: string;
  /** What it becomes, in a few words (--fix's report): a policy path, or what happens to it. */
  to: string;
}

export interface Translation {
  /** The native policy (a new object; the input is not changed). */
  document: unknown;
  /** Whole values replaced, by path: what --fix writes into the file. */
  replacements: Array<{ path: PolicyPath; value: unknown }>;
  changes: PolicyLayerChange[];
}

/** PolicyLayer's keys that are not native: a policy without them needs no translation of rules. */
export const POLICYLAYER_KEYS = ['require', 'deny_if'] as const;

export function translatePolicyLayer(doc: unknown): Translation {
  const replacements: Translation['replacements'] = [];
  const changes: PolicyLayerChange[] = [];
  if (!isObject(doc)) return { document: doc, replacements, changes };
  const allTools = doc.all_tools;
  if (isObject(allTools) && Array.isArray(allTools.limits)) {
    allTools.limits.forEach((limit, i) => {
      const path = ['all_tools', 'limits', i];
      const next = translateLimit(limit, path, changes);
      if (next !== limit) replacements.push({ path, value: next });
    });
  }
  for (const entry of entries(doc)) {
    if (!isObject(entry.rule)) continue;
    const next = translateEntry(entry.rule, entry.path, changes);
    if (next !== entry.rule) replacements.push({ path: entry.path, value: next });
  }
  return { document: applyReplacements(doc, replacements), replacements, changes };
}

/** A copy of `doc` with each path's value replaced (only objects and arrays on the way are copied). */
export function applyReplacements(doc: unknown, replacements: Translation['replacements']): unknown {
  let out = doc;
  for (const { path, value } of replacements) out = setIn(out, path, value);
  return out;
}

function setIn(node: unknown, path: PolicyPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path;
  if (Array.isArray(node) && typeof key === 'number') {
    const copy = [...node];
    copy[key] = setIn(node[key], rest, value);
    return copy;
  }
  if (isObject(node) && typeof key === 'string') return { ...node, [key]: setIn(node[key], rest, value) };
  return node;
}

interface Item {
  conditions: Array<{ condition: Condition; path: string[] }>;
  onDeny: string | undefined;
  name: string | undefined;
}

/** A `require`/`deny_if` item, when it is well-formed enough to translate. */
function itemOf(value: unknown): Item | undefined {
  if (!isObject(value) || !Array.isArray(value.conditions)) return undefined;
  const conditions: Item['conditions'] = [];
  for (const c of value.conditions) {
    if (!isObject(c) || typeof c.path !== 'string' || typeof c.op !== 'string' || !valueFits(c.op, c.value)) return undefined;
    const path = argumentPath(c.path);
    if (!path) return undefined;
    conditions.push({ condition: { path: c.path, op: c.op, value: c.value }, path });
  }
  return {
    conditions,
    onDeny: typeof value.on_deny === 'string' ? value.on_deny : undefined,
    name: typeof value.name === 'string' ? value.name : undefined,
  };
}

function translateEntry(rule: Record<string, unknown>, base: PolicyPath, changes: PolicyLayerChange[]): Record<string, unknown> {
  const generated: Array<Record<string, unknown>> = [];
  let denyAll: { reason: string } | undefined;
  let touched = false;
  const existing = Array.isArray(rule.rules) ? rule.rules : [];
  for (const key of POLICYLAYER_KEYS) {
    const list = rule[key];
    if (!Array.isArray(list)) continue;
    list.forEach((raw, i) => {
      const item = itemOf(raw);
      if (!item) return;
      touched = true;
      const path = [...base, key, i];
      const origin = `PolicyLayer ${formatPath([key, i])}${item.name ? ` (${item.name})` : ''}`;
      if (item.conditions.length === 0) {
        if (key === 'require') {
          changes.push({ path, to: 'removed (always met)', message: `${formatPath(path)}: PolicyLayer's require with no conditions is always met and refuses nothing; mcp-guard drops it` });
        } else {
          const reason = item.onDeny ?? 'refused by policy';
          denyAll ??= { reason };
          changes.push({ path, to: `${formatPath(base)}.action "deny"`, message: `${formatPath(path)}: PolicyLayer's deny_if with no conditions refuses every call; the native form is the entry's ${JSON.stringify({ action: 'deny', reason: denyAll.reason })}` });
        }
        return;
      }
      const words = item.conditions.map(({ condition }) => describeCondition(condition, 'is'));
      const needs = item.conditions.map(({ condition }) => describeCondition(condition, 'to be'));
      const native =
        key === 'require'
          ? { $comment: `${origin}: refuse unless ${words.join(' and ')}`, when: requireWhen(item.conditions), action: 'deny', reason: item.onDeny ?? `this call needs ${needs.join(' and ')}` }
          : {
              $comment: `${origin}: refuse when ${words.join(' and ')}`,
              when: denyIfWhen(item.conditions),
              action: 'deny',
              reason: item.onDeny ?? `refused because ${item.conditions.map(({ condition }, n) => withUndecidable(words[n]!, condition)).join(' and ')}`,
            };
      const at = formatPath([...base, 'rules', generated.length]);
      generated.push(native);
      const meaning = key === 'require' ? 'a call that does not meet every condition is refused' : 'a call that meets every condition is refused';
      changes.push({ path, to: at, message: `${formatPath(path)}: PolicyLayer's ${key} (${meaning}); the native form is ${at}: ${JSON.stringify(native)}` });
    });
  }
  const out: Record<string, unknown> = {};
  if (denyAll) {
    out.action = 'deny';
    out.reason = denyAll.reason;
  }
  const merged = [...generated, ...existing.map((r, i) => translateWhenRule(r, [...base, 'rules', i], changes))];
  if (generated.length > 0 && existing.length > 0) {
    changes.push({ path: [...base, 'rules'], to: `${formatPath([...base, 'rules', generated.length])} onwards`, message: `${formatPath([...base, 'rules'])}: judged after the ${generated.length} rule${generated.length === 1 ? '' : 's'} made from require/deny_if, so these are ${formatPath([...base, 'rules', generated.length])} onwards in decisions` });
  }
  let placed = false;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'require' || key === 'deny_if' || key === 'rules') {
      if (!placed && merged.length > 0) out.rules = merged;
      placed = true;
    } else if (denyAll && (key === 'action' || key === 'reason')) {
      continue;
    } else if (key === 'limits' && Array.isArray(value)) {
      out.limits = value.map((limit, i) => translateLimit(limit, [...base, 'limits', i], changes));
    } else if (key === 'rate_limit') {
      out.rate_limit = translateLimit(value, [...base, 'rate_limit'], changes);
    } else {
      out[key] = value;
    }
  }
  const changed = touched || JSON.stringify(out) !== JSON.stringify(rule);
  return changed ? out : rule;
}

function translateWhenRule(rule: unknown, path: PolicyPath, changes: PolicyLayerChange[]): unknown {
  if (!isObject(rule) || !Array.isArray(rule.limits)) return rule;
  const limits = rule.limits.map((limit, i) => translateLimit(limit, [...path, 'limits', i], changes));
  return limits.some((l, i) => l !== (rule.limits as unknown[])[i]) ? { ...rule, limits } : rule;
}

/** A limit with PolicyLayer's `increment_from: "args.amount"` gets the native path, "amount". */
function translateLimit(limit: unknown, path: PolicyPath, changes: PolicyLayerChange[]): unknown {
  if (!isObject(limit) || typeof limit.increment_from !== 'string') return limit;
  const segments = argumentPath(limit.increment_from);
  if (!segments) return limit;
  const native = segments.join('.');
  changes.push({
    path: [...path, 'increment_from'],
    to: JSON.stringify(native),
    message: `${formatPath([...path, 'increment_from'])}: ${JSON.stringify(limit.increment_from)} is PolicyLayer's argument path; the native form is ${JSON.stringify(native)} (a path into the arguments, without "args.")`,
  });
  return { ...limit, increment_from: native };
}

function withUndecidable(words: string, condition: Condition): string {
  const extra = undecidableWords(condition);
  return extra ? `${words} (${extra})` : words;
}
