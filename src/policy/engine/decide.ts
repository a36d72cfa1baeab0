import type { ErrorObject } from 'ajv';
import { findNameVariant } from './argument-names.js';
import { type CompiledLimit, type CompiledPolicy, type CompiledRule, lookup, lookupFolded, type NameTable, type TableEntry } from './compile.js';
import { type Charge, type Decision, ALLOW_ALWAYS, refuse } from './decision.js';
import { KNOWN_METHODS, LIFECYCLE_METHODS } from '../../protocol/known-methods.js';
import { describeArgumentErrors } from './schema-errors.js';
import type { Action } from './types.js';
import { protectResource, protectToolArguments } from './self-protection.js';
import { uriReadings } from './uri.js';

/**
 * The decision engine. Pure: it reads the compiled policy and the message and returns a Decision.
 * It consumes nothing; the relay charges the limits a Decision lists (src/limits/) and runs
 * approval, so concurrent sessions share counters without the engine doing I/O. (Paths are
 * resolved through the policy's PathEnv, the one window onto the file system it is given.)
 */

export type Direction = 'client→server' | 'server→client';

/** What a request or notification is about, for the audit log and the refusal text. */
export interface Subject {
  tool?: string;
  uri?: string;
  prompt?: string;
}

/** SPEC §4: longer names and URIs are refused before any matching. */
export const MAX_NAME_LENGTH = 1024;
export const MAX_URI_LENGTH = 8192;

/** What the session knows that a decision may depend on, beyond the message. */
export interface DecideContext {
  /** Whether the server marks this tool read-only (`annotations.readOnlyHint` in its tools/list). */
  readOnlyTool?(name: string): boolean;
}

/** Judges a request or notification by its method (SPEC §4). */
export function decideMessage(policy: CompiledPolicy, direction: Direction, method: string, params: Record<string, unknown> | undefined, context: DecideContext = {}): Decision {
  if (LIFECYCLE_METHODS.has(method)) return ALLOW_ALWAYS;
  const listed = policy.methods.get(method);
  if (listed === 'deny') return refuse('denied', `methods.${method}`, `the method ${method} is not allowed by policy`);
  if (listed === undefined && policy.default === 'deny' && !KNOWN_METHODS.has(method)) {
    return refuse('denied', 'default', `the method ${method} is not one MCP defines, and the policy allows only what it names (default: deny)`);
  }
  const byMethods: Decision = listed ? { outcome: 'allow', rule: `methods.${method}`, charges: [] } : ALLOW_ALWAYS;
  if (direction === 'server→client') return method === 'notifications/resources/updated' ? decideResourceUpdate(policy, params, byMethods) : byMethods;
  switch (method) {
    case 'subscriptions/listen':
      return decideListen(policy, params, byMethods);
    case 'tools/call':
      return decideToolCall(policy, params?.name, params?.arguments, context);
    case 'prompts/get':
      return decidePrompt(policy, params?.name, params?.arguments);
    case 'resources/read':
    case 'resources/subscribe':
      // A request that names no resource at all reaches no `resources` entry and no protected
      // location: under `default: "allow"` its server answers it, as it would without mcp-guard.
      // Without a string `uri` but with anything else in it (positional params, another member a
      // lenient server might read as the URI), it is refused below as before.
      if (policy.default === 'allow' && namesNothing(params)) return { outcome: 'allow', rule: 'default', charges: [] };
      return decideResource(policy, params?.uri);
    default:
      return byMethods;
  }
}

/**
 * A 2026-07-28 `subscriptions/listen` that asks for updates of resources
 * (`notifications.resourceSubscriptions`) is judged as a `resources/subscribe` of each URI: one
 * the policy refuses refuses the whole request, naming it. A resource whose rule asks a person
 * cannot be subscribed to this way (a subscription has no call to hold), so it is refused too.
 * Subscribing takes no units: limits count reads.
 */
function decideListen(policy: CompiledPolicy, params: Record<string, unknown> | undefined, byMethods: Decision): Decision {
  const filter = params?.notifications;
  if (filter === undefined || filter === null || typeof filter !== 'object') return byMethods;
  const uris = (filter as Record<string, unknown>).resourceSubscriptions;
  if (uris === undefined) return byMethods;
  if (!Array.isArray(uris)) return refuse('invalid_arguments', 'resources', 'params.notifications.resourceSubscriptions must be an array of resource URIs');
  for (const uri of uris) {
    const decision = decideResource(policy, uri);
    if (decision.outcome === 'refuse') {
      return { ...decision, reason: `it subscribes to ${typeof uri === 'string' ? `"${uri}"` : 'a URI that is not a string'}, which is refused: ${decision.reason}` };
    }
    if (decision.outcome === 'ask') {
      return refuse('denied', decision.rule, `the resource "${uri}" needs a person's approval to be read, which a subscription cannot ask for; leave it out of resourceSubscriptions and read it with resources/read`);
    }
  }
  return byMethods;
}

/**
 * A server's `notifications/resources/updated` about a resource the policy refuses is not
 * relayed: the client could not have subscribed to it through mcp-guard, and its URI is not the
 * agent's to see.
 */
function decideResourceUpdate(policy: CompiledPolicy, params: Record<string, unknown> | undefined, byMethods: Decision): Decision {
  if (typeof params?.uri !== 'string') return byMethods;
  const decision = decideResource(policy, params.uri);
  return decision.outcome === 'refuse' ? decision : byMethods;
}

/** Params that are an object holding nothing but request metadata (`_meta`). */
function namesNothing(params: Record<string, unknown> | undefined): boolean {
  return params !== undefined && Object.keys(params).every((key) => key === '_meta');
}

export function subjectOf(method: string, params: Record<string, unknown> | undefined): Subject | undefined {
  if (!params) return undefined;
  if (method === 'tools/call' && typeof params.name === 'string') return { tool: params.name };
  if (method === 'prompts/get' && typeof params.name === 'string') return { prompt: params.name };
  if ((method === 'resources/read' || method === 'resources/subscribe') && typeof params.uri === 'string') return { uri: params.uri };
  return undefined;
}

/** `tools` rules, then `args`, then the first matching `rules` entry, then limits (SPEC §4). */
export function decideToolCall(policy: CompiledPolicy, name: unknown, args: unknown, context: DecideContext = {}): Decision {
  if (typeof name !== 'string') return refuse('invalid_arguments', 'tools', 'params.name must be the name of a tool (a string)');
  if (name.length > MAX_NAME_LENGTH) return refuse('invalid_arguments', 'tools', `the tool name is ${name.length} characters long; names over ${MAX_NAME_LENGTH} are refused`);
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    return refuse('invalid_arguments', 'tools', 'params.arguments must be an object');
  }
  const hidden = hiddenToolRule(policy, name);
  if (hidden) return refuse('denied', hidden, `the tool "${name}" is not available`);
  const entry = lookup(policy.tools, name);
  const variant = variantOf(policy.tools, 'tools', name, entry);
  if (variant) return variant;
  const protectedCall = protectToolArguments(args, policy.protect, policy.pathEnv, { readOnly: context.readOnlyTool?.(name) === true });
  if (protectedCall) return protectedCall;
  return judgeEntry(policy, 'tool', name, entry, (args ?? {}) as Record<string, unknown>, policy.allToolsLimits);
}

export function decidePrompt(policy: CompiledPolicy, name: unknown, args: unknown): Decision {
  if (typeof name !== 'string') return refuse('invalid_arguments', 'prompts', 'params.name must be the name of a prompt (a string)');
  if (name.length > MAX_NAME_LENGTH) return refuse('invalid_arguments', 'prompts', `the prompt name is ${name.length} characters long; names over ${MAX_NAME_LENGTH} are refused`);
  // A prompt that quotes a file its argument names would hand mcp-guard's own files to the agent
  // as surely as a tool that reads one: its arguments are judged as a read-only tool's.
  const protectedPrompt = protectToolArguments(args, policy.protect, policy.pathEnv, { readOnly: true });
  if (protectedPrompt) return protectedPrompt;
  const entry = lookup(policy.prompts, name);
  if (entry?.value.action === 'hide') return refuse('denied', entry.value.rule, `the prompt "${name}" is not available`);
  const variant = variantOf(policy.prompts, 'prompts', name, entry);
  if (variant) return variant;
  const a = args && typeof args === 'object' && !Array.isArray(args) ? (args as Record<string, unknown>) : {};
  return judgeEntry(policy, 'prompt', name, entry, a, []);
}

export function decideResource(policy: CompiledPolicy, uri: unknown): Decision {
  if (typeof uri !== 'string') return refuse('invalid_arguments', 'resources', 'params.uri must be a string');
  if (uri.length > MAX_URI_LENGTH) return refuse('invalid_arguments', 'resources', `the URI is ${uri.length} characters long; URIs over ${MAX_URI_LENGTH} are refused`);
  const protectedRead = protectResource(uri, policy.protect, policy.pathEnv);
  // A `file:` URI that servers can read as two paths is judged as both: the stricter decision holds.
  let decision: Decision | undefined;
  for (const normal of uriReadings(uri)) {
    const entry = lookup(policy.resources, normal);
    if (entry?.value.action === 'hide') return refuse('denied', entry.value.rule, `the resource "${uri}" is not available`);
    if (protectedRead) return protectedRead;
    const reading = judgeEntry(policy, 'resource', normal, entry, { uri }, []);
    if (reading.outcome === 'refuse') return reading;
    if (!decision || (reading.outcome === 'ask' && decision.outcome === 'allow')) decision = reading;
  }
  return decision!;
}

/**
 * The rule that hides a tool (`hide`, an entry whose action is `hide`, a name variant of either,
 * or no entry under `default: "deny"`), or undefined when it is visible. A hidden tool is refused
 * as not available, never with the policy's reason, which would reveal that it exists.
 */
function hiddenToolRule(policy: CompiledPolicy, name: string): string | undefined {
  if (lookup(policy.hide, name) || lookupFolded(policy.hide, name)) return 'hide';
  const entry = lookup(policy.tools, name);
  if (entry) return entry.value.action === 'hide' ? entry.value.rule : undefined;
  // A name variant of a listed tool is refused as such (it is visible under its real name),
  // unless that tool is hidden, whose name must not be revealed.
  const folded = lookupFolded(policy.tools, name);
  if (folded) return folded.value.action === 'hide' ? folded.value.rule : undefined;
  return policy.default === 'deny' ? 'default' : undefined;
}

/**
 * A name that reaches a policy entry only after NFKC normalisation and case folding is either a
 * typo or an attempt to slip past a rule: refuse it rather than guess.
 */
function variantOf<T>(table: NameTable<T>, base: string, name: string, exact: { key: string } | undefined): Decision | undefined {
  const folded = lookupFolded(table, name);
  if (!folded || folded.key === exact?.key) return undefined;
  return refuse('denied', `${base}.${folded.key}`, `"${name}" matches the policy entry "${folded.key}" only after ignoring letter case, Unicode form, invisible characters or surrounding spaces; use the exact name`);
}

type EntryKind = 'tool' | 'prompt' | 'resource';

function judgeEntry(
  policy: CompiledPolicy,
  kind: EntryKind,
  name: string,
  entry: TableEntry<CompiledRule> | undefined,
  args: Record<string, unknown>,
  extraLimits: CompiledLimit[],
): Decision {
  const rule = entry?.value;
  if (!rule) {
    if (policy.default === 'deny') return refuse('denied', 'default', `the ${kind} "${name}" is not allowed by policy (default: deny)`);
    const charges = chargesFor(kind, name, undefined, extraLimits, args);
    if (!isChargeList(charges)) return charges;
    return policy.default === 'ask'
      ? { outcome: 'ask', rule: 'default', reason: undefined, charges, via: policy.approvalVia }
      : { outcome: 'allow', rule: 'default', charges };
  }
  if (rule.action === 'deny' || rule.action === 'hide') {
    return refuse('denied', rule.rule, rule.reason ?? `the ${kind} "${name}" is not allowed by policy`);
  }
  if (rule.argumentNames) {
    const variant = findNameVariant(args, rule.argumentNames);
    if (variant) {
      return refuse(
        'invalid_arguments',
        `${rule.rule}.args`,
        `${variant.path} is not an argument this policy knows; it differs from "${variant.meant}" only in letter case, Unicode form, invisible characters or surrounding spaces (some servers would read it as "${variant.meant}"); send "${variant.meant}"`,
      );
    }
  }
  if (rule.args && !rule.args(args)) {
    return refuse('invalid_arguments', `${rule.rule}.args`, describeArgumentErrors((rule.args.errors ?? []) as ErrorObject[]));
  }
  let action: Action = rule.action;
  let reason = rule.reason;
  let path = rule.rule;
  let limits = rule.limits;
  let via = rule.approvalVia;
  for (const when of rule.when) {
    if (when.matches(args)) {
      if (when.action) action = when.action;
      if (when.reason !== undefined) reason = when.reason;
      if (when.approvalVia) via = when.approvalVia;
      path = when.rule;
      if (when.limits.length > 0) limits = joined(limits, when.limits);
      break;
    }
  }
  if (action === 'deny' || action === 'hide') return refuse('denied', path, reason ?? `this call to the ${kind} "${name}" is not allowed by policy`);
  const charges = chargesFor(kind, name, rule, extraLimits.length > 0 ? joined(limits, extraLimits) : limits, args);
  if (!isChargeList(charges)) return charges;
  return action === 'ask' ? { outcome: 'ask', rule: path, reason, charges, via: via ?? policy.approvalVia } : { outcome: 'allow', rule: path, charges };
}

/**
 * The units a call would consume of each limit; a bad `increment_from` value refuses the call.
 * A limit's counter is its `counter`, else `all_tools` for `all_tools` limits, else the entry's
 * key when the entry is a pattern (every name it matches shares one counter, SPEC §3), else the name.
 */
function chargesFor(kind: EntryKind, name: string, rule: CompiledRule | undefined, limits: CompiledLimit[], args: Record<string, unknown>): readonly Charge[] | Decision {
  if (limits.length === 0) return NO_CHARGES;
  const own = rule?.pattern ? rule.key : name;
  // Under a rule (whose key is the counter), limits with no `increment_from` charge the same for
  // every call: made once per rule and list of limits, and shared (each charge frozen). Never
  // without a rule, so names an agent makes up cannot grow the cache.
  const known = rule !== undefined && own === rule.key ? fixedCharges.get(rule) : undefined;
  const made = known?.get(limits);
  if (made) return made;
  let fixed = true;
  const charges: Charge[] = [];
  const ownCounter = kind === 'tool' ? own : `${kind}:${own}`;
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
      fixed = false;
    }
    const counter = limit.counter ?? (limit.rule.startsWith('all_tools') ? 'all_tools' : ownCounter);
    charges.push(Object.freeze({ counter, scope: limit.scope, windowMs: limit.windowMs, max: limit.max, amount, rule: limit.rule, refundable: limit.refundable }));
  }
  if (fixed && rule !== undefined && own === rule.key) {
    // The array is not frozen: V8's filter and every take a slow path on frozen arrays (10× in a
    // micro-benchmark, and 4% of a realistic call). Nothing changes a decision's charges.
    if (known) known.set(limits, charges);
    else fixedCharges.set(rule, new Map([[limits, charges]]));
  }
  return charges;
}
/** `Array.isArray`, which TypeScript does not let narrow a union with a readonly array. */
function isChargeList(charges: readonly Charge[] | Decision): charges is readonly Charge[] {
  return Array.isArray(charges);
}

const fixedCharges = new WeakMap<CompiledRule, Map<CompiledLimit[], readonly Charge[]>>();

const NO_CHARGES: readonly Charge[] = [];

/** `a` then `b`, one array per pair (limits lists are the compiled policy's, so they live as long as it). */
function joined(a: CompiledLimit[], b: CompiledLimit[]): CompiledLimit[] {
  let byTail = joins.get(a);
  if (!byTail) joins.set(a, (byTail = new WeakMap()));
  let both = byTail.get(b);
  if (!both) byTail.set(b, (both = [...a, ...b]));
  return both;
}
const joins = new WeakMap<CompiledLimit[], WeakMap<CompiledLimit[], CompiledLimit[]>>();

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
  if (name.length > MAX_NAME_LENGTH || hiddenToolRule(policy, name) !== undefined) return false;
  const entry = lookup(policy.tools, name);
  const folded = lookupFolded(policy.tools, name);
  return !(folded && folded.key !== entry?.key);
}

/** Resources and prompts are listed unless their rule (or the default) is deny or hide. */
export function isEntryVisible(policy: CompiledPolicy, table: NameTable<CompiledRule>, name: string): boolean {
  const entry = lookup(table, name);
  if (!entry) return policy.default !== 'deny';
  return entry.value.action !== 'deny' && entry.value.action !== 'hide';
}

/** Whether the resources rules refuse this URI outright (a tool result's resource links to it are withheld). */
export function isResourceRefused(policy: CompiledPolicy, uri: string): boolean {
  if (uri.length > MAX_URI_LENGTH) return true;
  return uriReadings(uri).some((normal) => {
    const entry = lookup(policy.resources, normal);
    if (!entry) return policy.default === 'deny';
    return entry.value.action === 'deny' || entry.value.action === 'hide';
  });
}
