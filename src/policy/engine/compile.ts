import type { ValidateFunction } from 'ajv';
import { parseRateLimit, parseWindow } from './duration.js';
import { compileGlob, isGlob, type GlobKind } from './glob.js';
import type { PathEnv } from './path-within.js';
import { schemas } from './walk.js';
import type { Action, DefaultAction, JsonSchema, LimitSpec, PolicyDocument, RuleSpec } from './types.js';

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
}

export interface CompiledLimit {
  /** Explicit counter name; undefined means "the tool's name" (or `all_tools`). */
  counter: string | undefined;
  windowMs: number;
  max: number;
  scope: 'session' | 'grant';
  /** Dot path into `arguments` whose value is the amount, for spend caps. */
  incrementFrom: string[] | undefined;
  rule: string;
}

export interface CompiledWhen {
  matches: ValidateFunction;
  action: Action | undefined;
  reason: string | undefined;
  limits: CompiledLimit[];
  rule: string;
}

export interface CompiledRule {
  key: string;
  rule: string;
  action: Action;
  reason: string | undefined;
  limits: CompiledLimit[];
  args: ValidateFunction | undefined;
  when: CompiledWhen[];
}

/** Exact names first, then patterns in file order; each also indexed by its folded form. */
export interface NameTable<T> {
  exact: Map<string, { key: string; value: T }>;
  patterns: Array<{ key: string; regex: RegExp; value: T }>;
  foldedExact: Map<string, { key: string; value: T }>;
  foldedPatterns: Array<{ key: string; regex: RegExp; value: T }>;
}

/** NFKC plus case folding: two names equal under this but not exactly are suspicious (SPEC §4). */
export function foldName(name: string): string {
  return name.normalize('NFKC').toLowerCase();
}

function buildTable<T>(entries: Array<[string, T]>, kind: GlobKind): NameTable<T> {
  const table: NameTable<T> = { exact: new Map(), patterns: [], foldedExact: new Map(), foldedPatterns: [] };
  for (const [key, value] of entries) {
    if (isGlob(key)) {
      table.patterns.push({ key, regex: compileGlob(key, kind), value });
      table.foldedPatterns.push({ key, regex: compileGlob(foldName(key), kind), value });
    } else {
      const plain = key.replace(/\\(.)/g, '$1');
      table.exact.set(plain, { key, value });
      if (!table.foldedExact.has(foldName(plain))) table.foldedExact.set(foldName(plain), { key, value });
    }
  }
  return table;
}

/** Finds the entry for a name: exact first, then the first pattern in file order. */
export function lookup<T>(table: NameTable<T>, name: string): { key: string; value: T } | undefined {
  const hit = table.exact.get(name);
  if (hit) return hit;
  for (const p of table.patterns) if (p.regex.test(name)) return p;
  return undefined;
}

/** Finds the entry a name would hit after folding (for the name-variant check). */
export function lookupFolded<T>(table: NameTable<T>, name: string): { key: string; value: T } | undefined {
  const folded = foldName(name);
  const hit = table.foldedExact.get(folded);
  if (hit) return hit;
  for (const p of table.foldedPatterns) if (p.regex.test(folded)) return p;
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
}

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
      rule,
    };
  };
  const limitsOf = (specs: LimitSpec[] | undefined, base: string): CompiledLimit[] =>
    (specs ?? []).map((spec, i) => limitOf(spec, `${base}[${i}]`));
  const schemaOf = (schema: JsonSchema | undefined): ValidateFunction | undefined =>
    schema === undefined ? undefined : compileSchema(schema as object);

  const ruleOf = (key: string, spec: RuleSpec, base: string): CompiledRule => {
    const rule = member(base, key);
    if (typeof spec === 'string') {
      return { key, rule, action: spec, reason: undefined, limits: [], args: undefined, when: [] };
    }
    const limits = limitsOf(spec.limits, `${rule}.limits`);
    if (spec.rate_limit !== undefined) {
      if (typeof spec.rate_limit === 'string') {
        const parsed = parseRateLimit(spec.rate_limit);
        if (!parsed) throw new Error(`${rule}.rate_limit: ${JSON.stringify(spec.rate_limit)} is not a rate`);
        limits.push({ counter: undefined, windowMs: parsed.windowMs, max: parsed.max, scope: 'session', incrementFrom: undefined, rule: `${rule}.rate_limit` });
      } else {
        limits.push(limitOf(spec.rate_limit, `${rule}.rate_limit`));
      }
    }
    return {
      key,
      rule,
      action: spec.action ?? 'allow',
      reason: spec.reason,
      limits,
      args: schemaOf(spec.args),
      when: (spec.rules ?? []).map((w, i) => ({
        matches: compileSchema(w.when as object),
        action: w.action,
        reason: w.reason,
        limits: limitsOf(w.limits, `${rule}.rules[${i}].limits`),
        rule: `${rule}.rules[${i}]`,
      })),
    };
  };
  const tableOf = (map: Record<string, RuleSpec> | undefined, base: string, kind: GlobKind): NameTable<CompiledRule> =>
    buildTable(
      Object.entries(map ?? {}).map(([key, spec]) => [key, ruleOf(key, spec, base)] as [string, CompiledRule]),
      kind,
    );

  const tools = tableOf(doc.tools, 'tools', 'name');
  const allToolsLimits = limitsOf(doc.all_tools?.limits, 'all_tools.limits');
  return {
    file,
    default: doc.default ?? 'deny',
    hide: buildTable((doc.hide ?? []).map((h) => [h, true as const]), 'name'),
    tools,
    resources: tableOf(doc.resources, 'resources', 'uri'),
    prompts: tableOf(doc.prompts, 'prompts', 'name'),
    methods: new Map(Object.entries(doc.methods ?? {})),
    allToolsLimits,
    auditPath: doc.audit?.path,
    auditArguments: doc.audit?.arguments === true,
    approvalTimeoutMs: (doc.approval?.timeout ?? 120) * 1000,
  };
}
