import { parseWindow } from '../engine/duration.js';
import { isGlob } from '../engine/glob.js';
import { globCovers } from './glob-cover.js';
import type { ShapeProblem } from './policy-shape.js';
import { formatPath, type PolicyPath } from '../source/source-range.js';
import { actionOf, entries, isObject, limits, RULE_MAPS } from '../engine/walk.js';

/**
 * The warnings of SPEC §5 that need the whole policy: what is missing or permissive, what can
 * never apply, and what cannot work as written. `locateLine` gives the line of another place
 * for messages that point back to it.
 */
export function policyWarnings(doc: unknown, locateLine: (path: PolicyPath) => number): ShapeProblem[] {
  if (!isObject(doc)) return [];
  return [...defaultWarnings(doc), ...shadowedEntries(doc, locateLine), ...unreachableRules(doc), ...counterWindows(doc, locateLine), ...askWithoutApproval(doc)];
}

function defaultWarnings(doc: Record<string, unknown>): ShapeProblem[] {
  if (doc.default === undefined) {
    return [{ path: [], target: 'value', ruleId: 'default-missing', message: 'no "default": calls that no entry names are denied (and unlisted tools hidden); add "default": "deny" to say so', suggestion: 'deny' }];
  }
  if (doc.default === 'allow') {
    return [{ path: ['default'], target: 'value', ruleId: 'default-allow', message: 'default: "allow" lets through every tool, resource and prompt the policy does not name, including ones the server adds later; prefer "deny" and list what is allowed' }];
  }
  return [];
}

function shadowedEntries(doc: Record<string, unknown>, locateLine: (path: PolicyPath) => number): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  for (const map of RULE_MAPS) {
    const kind = map === 'resources' ? 'uri' : 'name';
    const earlier: string[] = [];
    for (const entry of entries(doc)) {
      if (entry.map !== map || !isGlob(entry.key)) continue;
      const cover = earlier.find((g) => globCovers(g, entry.key, kind));
      if (cover !== undefined) {
        out.push({
          path: entry.path,
          target: 'key',
          ruleId: 'shadowed-entry',
          message: `${formatPath(entry.path)}: never applies: the earlier pattern ${JSON.stringify(cover)} (line ${locateLine([map, cover])}) matches everything ${JSON.stringify(entry.key)} matches, and the first match wins; move it above, or remove it`,
        });
      }
      earlier.push(entry.key);
    }
  }
  return out;
}

/** Keys that do not constrain anything: a schema of only these matches every value. */
const ANNOTATIONS = new Set(['$comment', '$schema', '$id', '$anchor', '$defs', 'definitions', 'title', 'description', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly']);

export function alwaysMatches(schema: unknown): boolean {
  return schema === true || (isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k)));
}

function unreachableRules(doc: Record<string, unknown>): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  for (const entry of entries(doc)) {
    if (!isObject(entry.rule) || !Array.isArray(entry.rule.rules)) continue;
    const catchAll = entry.rule.rules.findIndex((r) => isObject(r) && alwaysMatches(r.when));
    if (catchAll === -1) continue;
    for (let i = catchAll + 1; i < entry.rule.rules.length; i++) {
      const path = [...entry.path, 'rules', i];
      out.push({
        path,
        target: 'value',
        ruleId: 'unreachable-rule',
        message: `${formatPath(path)}: never applies: ${formatPath([...entry.path, 'rules', catchAll])} matches every call (its "when" is ${JSON.stringify(entry.rule.rules[catchAll].when)}) and the first matching rule wins`,
      });
    }
  }
  return out;
}

function counterWindows(doc: Record<string, unknown>, locateLine: (path: PolicyPath) => number): ShapeProblem[] {
  const out: ShapeProblem[] = [];
  const first = new Map<string, { windowMs: number; window: unknown; path: PolicyPath }>();
  for (const { limit, path } of limits(doc)) {
    if (!isObject(limit) || typeof limit.counter !== 'string') continue;
    const windowMs = parseWindow(limit.window);
    if (windowMs === undefined) continue;
    const seen = first.get(limit.counter);
    if (!seen) {
      first.set(limit.counter, { windowMs, window: limit.window, path });
    } else if (seen.windowMs !== windowMs) {
      out.push({
        path: [...path, 'window'],
        target: 'value',
        ruleId: 'counter-window-mismatch',
        message: `${formatPath([...path, 'window'])}: the counter ${JSON.stringify(limit.counter)} has window ${JSON.stringify(limit.window)} here but ${JSON.stringify(seen.window)} at ${formatPath(seen.path)} (line ${locateLine(seen.path)}); limits sharing a counter usually mean one budget: use one window, or another counter name`,
      });
    }
  }
  return out;
}

function askWithoutApproval(doc: Record<string, unknown>): ShapeProblem[] {
  if (!isObject(doc.approval) || doc.approval.timeout !== 0) return [];
  const asks: PolicyPath[] = [];
  if (doc.default === 'ask') asks.push(['default']);
  for (const entry of entries(doc)) {
    if (actionOf(entry.rule) === 'ask') asks.push(typeof entry.rule === 'string' ? entry.path : [...entry.path, 'action']);
    if (isObject(entry.rule) && Array.isArray(entry.rule.rules)) {
      entry.rule.rules.forEach((r, i) => {
        if (isObject(r) && r.action === 'ask') asks.push([...entry.path, 'rules', i, 'action']);
      });
    }
  }
  return asks.map((path) => ({
    path,
    target: 'value' as const,
    ruleId: 'ask-without-approval' as const,
    message: `${formatPath(path)}: "ask" can never be answered because approval.timeout is 0, so every such call is refused as approval_timeout; give approval.timeout a number of seconds, or use "deny"`,
  }));
}
