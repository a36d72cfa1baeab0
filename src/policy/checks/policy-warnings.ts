import { parseWindow } from '../engine/duration.js';
import { type GlobKind, type GlobToken, isGlob, parseGlob } from '../engine/glob.js';
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
    const index = new CoverIndex(kind);
    for (const entry of entries(doc)) {
      if (entry.map !== map || !isGlob(entry.key)) continue;
      const cover = index.coveredBy(entry.key);
      if (cover !== undefined) {
        out.push({
          path: entry.path,
          target: 'key',
          ruleId: 'shadowed-entry',
          message: `${formatPath(entry.path)}: never applies: the earlier pattern ${JSON.stringify(cover)} (line ${locateLine([map, cover])}) matches everything ${JSON.stringify(entry.key)} matches, and the first match wins; move it above, or remove it`,
        });
      }
      index.add(entry.key);
    }
  }
  return out;
}

/** Pattern pairs compared per map at most: past it the (advisory) shadowing check stops, so validation stays fast. */
const COMPARISON_BUDGET = 200_000;

/**
 * Earlier patterns, indexed so that a new one is compared only with those that can cover it: a
 * pattern covers another only if its literal prefix starts the other's and its literal suffix ends
 * it. Comparing every pair made a policy of 20,000 globs take minutes to validate.
 */
class CoverIndex {
  private readonly byPrefix = new Map<string, Array<{ key: string; suffix: string; order: number }>>();
  private count = 0;
  private comparisons = 0;

  constructor(private readonly kind: GlobKind) {}

  add(key: string): void {
    const [prefix, suffix] = literalEnds(key, this.kind);
    let list = this.byPrefix.get(prefix);
    if (!list) this.byPrefix.set(prefix, (list = []));
    list.push({ key, suffix, order: this.count++ });
  }

  /** The first earlier pattern (in file order) that matches everything `key` matches. */
  coveredBy(key: string): string | undefined {
    const [prefix, suffix] = literalEnds(key, this.kind);
    let best: { key: string; order: number } | undefined;
    for (let end = 0; end <= prefix.length; end++) {
      for (const earlier of this.byPrefix.get(prefix.slice(0, end)) ?? []) {
        if (!suffix.endsWith(earlier.suffix) || (best && earlier.order > best.order)) continue;
        if (++this.comparisons > COMPARISON_BUDGET) return best?.key;
        if (globCovers(earlier.key, key, this.kind)) best = earlier;
      }
    }
    return best?.key;
  }
}

/** The literal text every match of the pattern starts and ends with ('' when it cannot be read or varies). */
function literalEnds(pattern: string, kind: GlobKind): [string, string] {
  try {
    const alts = parseGlob(pattern, kind).alternatives;
    const prefix = commonPrefix(alts.map((tokens) => literalRun(tokens)));
    const reversedSuffix = commonPrefix(alts.map((tokens) => literalRun([...tokens].reverse())));
    return [prefix.join(''), reversedSuffix.reverse().join('')];
  } catch {
    return ['', ''];
  }
}

/** The code points of the literal tokens a token list starts with. */
function literalRun(tokens: GlobToken[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t.t !== 'one' || t.set.length !== 1 || t.set[0]![0] !== t.set[0]![1]) break;
    out.push(String.fromCodePoint(t.set[0]![0]));
  }
  return out;
}

function commonPrefix(lists: string[][]): string[] {
  if (lists.length === 0) return [];
  let n = lists[0]!.length;
  for (const list of lists) {
    let i = 0;
    while (i < n && i < list.length && list[i] === lists[0]![i]) i++;
    n = i;
  }
  return lists[0]!.slice(0, n);
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
