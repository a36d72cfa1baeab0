import type { ErrorObject } from 'ajv';
import type { Action } from './types.js';
import { type CompiledLimit, type CompiledPolicy, type CompiledRule, lookup, lookupFolded, type NameTable } from './compile.js';
import { type Charge, type Decision, ALLOW_ALWAYS, refuse } from './decision.js';
import { describeArgumentErrors } from './schema-errors.js';

/**
 * The decision engine. Pure: it reads the compiled policy and the message and returns a Decision.
 * It consumes nothing; the relay charges the limits a Decision lists (src/limits/) and runs
 * approval, so concurrent sessions share counters without the engine doing I/O.
 */

/** Methods that are always relayed: a `methods` entry cannot break the session's lifecycle. */
const LIFECYCLE = new Set(['initialize', 'notifications/initialized', 'ping', 'notifications/cancelled', 'notifications/progress']);

export type Direction = 'client→server' | 'server→client';

/** What a request or notification is about, for the audit log and the refusal text. */
export interface Subject {
  tool?: string;
  uri?: string;
  prompt?: string;
}

/** Judges a request or notification by its method (SPEC §4). */
export function decideMessage(policy: CompiledPolicy, direction: Direction, method: string, params: Record<string, unknown> | undefined): Decision {
  if (LIFECYCLE.has(method)) return ALLOW_ALWAYS;
  const listed = policy.methods.get(method);
  if (listed === 'deny') return refuse('denied', `methods.${method}`, `the method ${method} is not allowed by policy`);
  if (direction === 'server→client') return listed ? { outcome: 'allow', rule: `methods.${method}`, charges: [] } : ALLOW_ALWAYS;
  switch (method) {
    case 'tools/call':
      return decideToolCall(policy, params?.name, params?.arguments);
    case 'prompts/get':
      return decidePrompt(policy, params?.name, params?.arguments);
    case 'resources/read':
    case 'resources/subscribe':
      return decideResource(policy, params?.uri);
    default:
      return listed ? { outcome: 'allow', rule: `methods.${method}`, charges: [] } : ALLOW_ALWAYS;
  }
}

export function subjectOf(method: string, params: Record<string, unknown> | undefined): Subject | undefined {
  if (!params) return undefined;
  if (method === 'tools/call' && typeof params.name === 'string') return { tool: params.name };
  if (method === 'prompts/get' && typeof params.name === 'string') return { prompt: params.name };
  if ((method === 'resources/read' || method === 'resources/subscribe') && typeof params.uri === 'string') return { uri: params.uri };
  return undefined;
}

/** `tools` rules, then `args`, then the first matching `rules` entry, then limits (SPEC §4). */
export function decideToolCall(policy: CompiledPolicy, name: unknown, args: unknown): Decision {
  if (typeof name !== 'string') return refuse('invalid_arguments', 'tools', 'params.name must be the name of a tool (a string)');
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    return refuse('invalid_arguments', 'tools', 'params.arguments must be an object');
  }
  const hidden = lookup(policy.hide, name);
  if (hidden) return refuse('denied', 'hide', `the tool "${name}" is not available`);
  const variant = variantOf(policy.hide, 'hide', name, hidden) ?? variantOf(policy.tools, 'tools', name, lookup(policy.tools, name));
  if (variant) return variant;
  return judgeEntry(policy, 'tool', name, lookup(policy.tools, name)?.value, (args ?? {}) as Record<string, unknown>, policy.allToolsLimits);
}

export function decidePrompt(policy: CompiledPolicy, name: unknown, args: unknown): Decision {
  if (typeof name !== 'string') return refuse('invalid_arguments', 'prompts', 'params.name must be the name of a prompt (a string)');
  const variant = variantOf(policy.prompts, 'prompts', name, lookup(policy.prompts, name));
  if (variant) return variant;
  const a = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  return judgeEntry(policy, 'prompt', name, lookup(policy.prompts, name)?.value, a, []);
}

export function decideResource(policy: CompiledPolicy, uri: unknown): Decision {
  if (typeof uri !== 'string') return refuse('invalid_arguments', 'resources', 'params.uri must be a string');
  return judgeEntry(policy, 'resource', uri, lookup(policy.resources, uri)?.value, { uri }, []);
}

/**
 * A name that reaches a policy entry only after NFKC normalisation and case folding is either a
 * typo or an attempt to slip past a rule: refuse it rather than guess.
 */
function variantOf<T>(table: NameTable<T>, base: string, name: string, exact: { key: string } | undefined): Decision | undefined {
  const folded = lookupFolded(table, name);
  if (!folded || folded.key === exact?.key) return undefined;
  return refuse(
    'denied',
    base === 'hide' ? 'hide' : `${base}.${folded.key}`,
    `"${name}" matches the policy entry "${folded.key}" only after ignoring letter case or Unicode form; use the exact name`,
  );
}

type EntryKind = 'tool' | 'prompt' | 'resource';

function judgeEntry(
  policy: CompiledPolicy,
  kind: EntryKind,
  name: string,
  rule: CompiledRule | undefined,
  args: Record<string, unknown>,
  extraLimits: CompiledLimit[],
): Decision {
  if (!rule) {
    if (policy.default === 'deny') return refuse('denied', 'default', `the ${kind} "${name}" is not allowed by policy (default: deny)`);
    const charges = chargesFor(kind, name, extraLimits, args);
    if (!Array.isArray(charges)) return charges;
    return policy.default === 'ask'
      ? { outcome: 'ask', rule: 'default', reason: undefined, charges }
      : { outcome: 'allow', rule: 'default', charges };
  }
  if (rule.action === 'deny' || rule.action === 'hide') {
    return refuse('denied', rule.rule, rule.reason ?? `the ${kind} "${name}" is not allowed by policy`);
  }
  if (rule.args && !rule.args(args)) {
    return refuse('invalid_arguments', `${rule.rule}.args`, describeArgumentErrors((rule.args.errors ?? []) as ErrorObject[]));
  }
  let action: Action = rule.action;
  let reason = rule.reason;
  let path = rule.rule;
  let limits = rule.limits;
  for (const when of rule.when) {
    if (when.matches(args)) {
      if (when.action) action = when.action;
      if (when.reason !== undefined) reason = when.reason;
      path = when.rule;
      if (when.limits.length > 0) limits = [...limits, ...when.limits];
      break;
    }
  }
  if (action === 'deny' || action === 'hide') return refuse('denied', path, reason ?? `this call to the ${kind} "${name}" is not allowed by policy`);
  const charges = chargesFor(kind, name, extraLimits.length > 0 ? [...limits, ...extraLimits] : limits, args);
  if (!Array.isArray(charges)) return charges;
  return action === 'ask' ? { outcome: 'ask', rule: path, reason, charges } : { outcome: 'allow', rule: path, charges };
}

/** The units a call would consume of each limit; a bad `increment_from` value refuses the call. */
function chargesFor(kind: EntryKind, name: string, limits: CompiledLimit[], args: Record<string, unknown>): Charge[] | Decision {
  if (limits.length === 0) return NO_CHARGES;
  const charges: Charge[] = [];
  for (const limit of limits) {
    let amount = 1;
    if (limit.incrementFrom) {
      const value = readPath(args, limit.incrementFrom);
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return refuse(
          'invalid_arguments',
          limit.rule,
          `arguments.${limit.incrementFrom.join('.')} must be a non-negative number (it is counted against a limit)`,
        );
      }
      amount = value;
    }
    const counter = limit.counter ?? (limit.rule.startsWith('all_tools') ? 'all_tools' : `${kind === 'tool' ? '' : `${kind}:`}${name}`);
    charges.push({ counter, scope: limit.scope, windowMs: limit.windowMs, max: limit.max, amount, rule: limit.rule });
  }
  return charges;
}

const NO_CHARGES: Charge[] = [];

function readPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Whether `tools/list` shows this tool: not hidden, not a name variant, not unlisted under default deny. */
export function isToolVisible(policy: CompiledPolicy, name: string): boolean {
  const hidden = lookup(policy.hide, name);
  if (hidden || lookupFolded(policy.hide, name)) return false;
  const entry = lookup(policy.tools, name);
  const folded = lookupFolded(policy.tools, name);
  if (folded && folded.key !== entry?.key) return false;
  if (!entry) return policy.default !== 'deny';
  return entry.value.action !== 'hide';
}

/** Resources and prompts are listed unless their rule (or the default) is deny or hide. */
export function isEntryVisible(policy: CompiledPolicy, table: NameTable<CompiledRule>, name: string): boolean {
  const entry = lookup(table, name);
  if (!entry) return policy.default !== 'deny';
  return entry.value.action !== 'deny' && entry.value.action !== 'hide';
}
