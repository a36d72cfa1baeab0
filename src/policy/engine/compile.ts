import type { ValidateFunction } from 'ajv';
import { propertyTree, type PropertyTree } from './argument-names.js';
import { parseRateLimit, parseWindow } from './duration.js';
import { foldName } from '../../protocol/fold.js';
import { compileGlob, type GlobKind, type GlobMatcher, isGlob } from './glob.js';
import type { PathEnv } from './path-within.js';
import type { ProtectedLocation } from './self-protection.js';
import { normaliseFileGlob, normaliseUri } from './uri.js';
import { schemas } from './walk.js';
import type { Action, ApprovalVia, DefaultAction, JsonSchema, LimitSpec, PinMode, PolicyDocument, RuleSpec } from './types.js';

export { foldName } from '../../protocol/fold.js';

/**
 * A policy prepared for judging: globs, ajv validators and windows are compiled here, once per
 * load, so that nothing is compiled per message.
 */
export interface CompiledPolicy {
  file: string;
  default: DefaultAction;
  hide: NameTable<true>;
  tools: NameTable<CompiledRule>;
  resources: NameTable<CompiledRule>;
  prompts: NameTable<CompiledRule>;
  methods: Map<string, 'allow' | 'deny'>;
  allToolsLimits: CompiledLimit[];
  auditPath: string | undefined;
  auditArguments: boolean;
  approvalTimeoutMs: number;
  approvalVia: ApprovalVia;
  /** What a definition that changed since it was pinned gets (SPEC §12). */
  pin: PinMode;
  /** Whether some resource URI can be refused: only then are tool results searched for resource links. */
  refusesResources: boolean;
  /** mcp-guard's own files (SPEC §9), refused to every tool whatever the rules say. */
  protect: readonly ProtectedLocation[];
  /** The file system paths are resolved in (x-path-within, self-protection). */
  pathEnv: PathEnv;
}

export interface CompiledLimit {
  /** Explicit counter name; undefined means "the tool's name" (or `all_tools`). */
  counter: string | undefined;
  windowMs: number;
  max: number;
  scope: 'session' | 'grant';
  /** Dot path into `arguments` whose value is the amount, for spend caps. */
  incrementFrom: string[] | undefined;
  /** Whether an upstream JSON-RPC error gives the units back (`refund: "never"` says no). */
  refundable: boolean;
  rule: string;
}

export interface CompiledWhen {
  matches: ValidateFunction;
  action: Action | undefined;
  reason: string | undefined;
  limits: CompiledLimit[];
  approvalVia: ApprovalVia | undefined;
  rule: string;
}

export interface CompiledRule {
  key: string;
  rule: string;
  /** Keyed by a glob or URI pattern: its default counter is the key, shared by every match. */
  pattern: boolean;
  action: Action;
  reason: string | undefined;
  limits: CompiledLimit[];
  args: ValidateFunction | undefined;
  when: CompiledWhen[];
  approvalVia: ApprovalVia | undefined;
  /** The argument names its schemas name, for refusing case variants of them. */
  argumentNames: PropertyTree | undefined;
}

export interface TableEntry<T> {
  key: string;
  value: T;
}

/** Exact names first, then patterns in file order; each also indexed by its folded form. */
export interface NameTable<T> {
  exact: Map<string, TableEntry<T>>;
  patterns: Array<TableEntry<T> & { matcher: GlobMatcher }>;
  foldedExact: Map<string, TableEntry<T>>;
  foldedPatterns: Array<TableEntry<T> & { matcher: GlobMatcher }>;
}

function buildTable<T>(entries: Array<[string, T]>, kind: GlobKind): NameTable<T> {
  const table: NameTable<T> = { exact: new Map(), patterns: [], foldedExact: new Map(), foldedPatterns: [] };
  for (const [key, value] of entries) {
    if (isGlob(key)) {
      // A `file:` glob is matched in the spelling its URIs are normalised to (uri.ts).
      const pattern = kind === 'uri' ? normaliseFileGlob(key) : key;
      table.patterns.push({ key, matcher: compileGlob(pattern, kind), value });
      table.foldedPatterns.push({ key, matcher: compileGlob(foldName(pattern), kind), value });
    } else {
      let plain = key.replace(/\\(.)/gsu, '$1');
      // A URI entry names the normalised URI, as the URIs it is matched against are.
      if (kind === 'uri') plain = normaliseUri(plain);
      table.exact.set(plain, { key, value });
      if (!table.foldedExact.has(foldName(plain))) table.foldedExact.set(foldName(plain), { key, value });
    }
  }
  return table;
}

/** Finds the entry for a name: exact first, then the first pattern in file order. */
export function lookup<T>(table: NameTable<T>, name: string): TableEntry<T> | undefined {
  const hit = table.exact.get(name);
  if (hit) return hit;
  for (const p of table.patterns) if (p.matcher.test(name)) return p;
  return undefined;
}

/** Finds the entry a name would hit after folding (for the name-variant check). */
export function lookupFolded<T>(table: NameTable<T>, name: string): TableEntry<T> | undefined {
  if (table.foldedExact.size === 0 && table.foldedPatterns.length === 0) return undefined;
  const folded = foldName(name);
  const hit = table.foldedExact.get(folded);
  if (hit) return hit;
  for (const p of table.foldedPatterns) if (p.matcher.test(folded)) return p;
  return undefined;
}

/** Renders a policy path segment: `tools.read_file`, `tools.read_*`. */
function member(base: string, key: string): string {
  return `${base}.${key}`;
}

/** Whether any entry carries an `args` or `when` schema (only then is ajv loaded: it costs start-up time). */
function usesSchemas(doc: PolicyDocument): boolean {
  return !schemas(doc).next().done;
}

export interface CompileOptions {
  /** The file system `x-path-within` resolves paths in (the engine never reads it directly). */
  pathEnv: PathEnv;
  /** mcp-guard's own files in this session (SPEC §9); none for `check`, `test` and `replay` unless given. */
  protect?: readonly ProtectedLocation[];
}

/** SPEC §6: under the 60 s after which SDK clients give up on a request. */
export const DEFAULT_APPROVAL_TIMEOUT_S = 50;

export async function compilePolicy(doc: PolicyDocument, file: string, options: CompileOptions): Promise<CompiledPolicy> {
  const ajvModule = usesSchemas(doc) ? await import('./ajv.js') : undefined;
  const ajv = ajvModule?.createAjv({ allErrors: true, pathEnv: options.pathEnv });
  const compileSchema = (schema: object): ValidateFunction => {
    if (!ajvModule || !ajv) throw new Error('internal: a schema was found after the scan for schemas');
    return ajvModule.compileSchema(ajv, schema);
  };
  const limitOf = (spec: LimitSpec, rule: string): CompiledLimit => {
    const windowMs = parseWindow(spec.window);
    if (windowMs === undefined) throw new Error(`${rule}.window: ${JSON.stringify(spec.window)} is not a window`);
    return {
      counter: spec.counter,
      windowMs,
      max: spec.max,
      scope: spec.scope ?? 'session',
      incrementFrom: spec.increment_from === undefined ? undefined : spec.increment_from.split('.'),
      refundable: spec.refund !== 'never',
      rule,
    };
  };
  const limitsOf = (specs: LimitSpec[] | undefined, base: string): CompiledLimit[] =>
    (specs ?? []).map((spec, i) => limitOf(spec, `${base}[${i}]`));
  const schemaOf = (schema: JsonSchema | undefined): ValidateFunction | undefined =>
    schema === undefined ? undefined : compileSchema(schema as object);

  const ruleOf = (key: string, spec: RuleSpec, base: string): CompiledRule => {
    const rule = member(base, key);
    const pattern = isGlob(key);
    if (typeof spec === 'string') {
      return { key, rule, pattern, action: spec, reason: undefined, limits: [], args: undefined, when: [], approvalVia: undefined, argumentNames: undefined };
    }
    const limits = limitsOf(spec.limits, `${rule}.limits`);
    if (spec.rate_limit !== undefined) {
      if (typeof spec.rate_limit === 'string') {
        const parsed = parseRateLimit(spec.rate_limit);
        if (!parsed) throw new Error(`${rule}.rate_limit: ${JSON.stringify(spec.rate_limit)} is not a rate`);
        limits.push({ counter: undefined, windowMs: parsed.windowMs, max: parsed.max, scope: 'session', incrementFrom: undefined, refundable: true, rule: `${rule}.rate_limit` });
      } else {
        limits.push(limitOf(spec.rate_limit, `${rule}.rate_limit`));
      }
    }
    return {
      key,
      rule,
      pattern,
      action: spec.action ?? 'allow',
      reason: spec.reason,
      limits,
      args: schemaOf(spec.args),
      when: (spec.rules ?? []).map((w, i) => ({
        matches: compileSchema(w.when as object),
        action: w.action,
        reason: w.reason,
        limits: limitsOf(w.limits, `${rule}.rules[${i}].limits`),
        approvalVia: w.approval?.via,
        rule: `${rule}.rules[${i}]`,
      })),
      approvalVia: spec.approval?.via,
      argumentNames: propertyTree([spec.args, ...(spec.rules ?? []).map((w) => w.when)]),
    };
  };
  const tableOf = (map: Record<string, RuleSpec> | undefined, base: string, kind: GlobKind): NameTable<CompiledRule> =>
    buildTable(
      Object.entries(map ?? {}).map(([key, spec]) => [key, ruleOf(key, spec, base)] as [string, CompiledRule]),
      kind,
    );

  const tools = tableOf(doc.tools, 'tools', 'name');
  const allToolsLimits = limitsOf(doc.all_tools?.limits, 'all_tools.limits');
  const resources = tableOf(doc.resources, 'resources', 'uri');
  const defaultAction = doc.default ?? 'deny';
  const refusing = (r: CompiledRule) => r.action === 'deny' || r.action === 'hide' || r.when.some((w) => w.action === 'deny' || w.action === 'hide');
  return {
    file,
    default: defaultAction,
    hide: buildTable((doc.hide ?? []).map((h) => [h, true as const]), 'name'),
    tools,
    resources,
    prompts: tableOf(doc.prompts, 'prompts', 'name'),
    methods: new Map(Object.entries(doc.methods ?? {})),
    allToolsLimits,
    auditPath: doc.audit?.path,
    auditArguments: doc.audit?.arguments === true,
    approvalTimeoutMs: (doc.approval?.timeout ?? DEFAULT_APPROVAL_TIMEOUT_S) * 1000,
    approvalVia: doc.approval?.via ?? 'any',
    pin: doc.pin ?? 'block',
    refusesResources: defaultAction !== 'allow' || [...resources.exact.values(), ...resources.patterns].some((e) => refusing(e.value)),
    protect: options.protect ?? [],
    pathEnv: options.pathEnv,
  };
}
