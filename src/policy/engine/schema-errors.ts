import type { ErrorObject } from 'ajv';

/**
 * Turns Ajv's errors for a call's `arguments` into one sentence an agent can act on: the
 * property path and what was expected (`arguments.count must be integer`). Pure: the decision
 * engine calls it. Property names come from the agent, so long ones are cut short.
 */
export function describeArgumentErrors(errors: readonly ErrorObject[]): string {
  const explained = new Set<ErrorObject>();
  const phrases: string[] = [];
  // Combinators first: their branch errors are folded into one phrase ("... or ..."). Every item
  // of an array fails its `items` combinator at the same schema path, and the branches found for
  // a path are the same each time: they are gathered once per path, or a call with thousands of
  // failing items took minutes (each combinator scanned every error, copying as it went).
  const gathered = new Map<string, { branches: Map<string, ErrorObject[]>; phrase?: string }>();
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    let known = gathered.get(error.schemaPath);
    if (known === undefined) {
      known = { branches: branchErrors(errors, error) };
      gathered.set(error.schemaPath, known);
      for (const branch of known.branches.values()) for (const e of branch) explained.add(e);
    }
    explained.add(error);
    if (error.keyword === 'oneOf' && error.params?.passingSchemas) {
      phrases.push(`${subject(error.instancePath)} matches more than one of the allowed forms; it must match exactly one`);
    } else if (known.branches.size === 0) {
      phrases.push(`${subject(error.instancePath)} must match one of the allowed forms`);
    } else if (known.phrase === undefined) {
      // The same for every error at this path; said again, it would only be dropped as a repeat.
      known.phrase = joinAlternatives([...known.branches.values()].map((branch) => describeOne(branch[0]!)));
      phrases.push(known.phrase);
    }
  }
  const under = errorsUnder(errors);
  for (const error of errors) {
    if (explained.has(error)) continue;
    // Summaries whose causes are reported on their own.
    if (error.keyword === 'if' || error.keyword === 'propertyNames') {
      const prefix = `${error.schemaPath.replace(/\/if$/, '')}/`;
      if ((under.get(prefix) ?? 0) - (error.schemaPath.startsWith(prefix) ? 1 : 0) > 0) continue;
    }
    phrases.push(describeOne(error));
  }
  const unique = [...new Set(phrases)];
  if (unique.length === 0) return 'arguments do not match the schema the policy requires';
  const shown = unique.slice(0, MAX_PHRASES);
  const more = unique.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
}

/** How many errors have a schema path under each prefix that ends in `/` (counted once per error and prefix). */
function errorsUnder(errors: readonly ErrorObject[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of errors) {
    for (let slash = e.schemaPath.indexOf('/'); slash !== -1; slash = e.schemaPath.indexOf('/', slash + 1)) {
      const prefix = e.schemaPath.slice(0, slash + 1);
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
  }
  return counts;
}

const MAX_PHRASES = 3;
const MAX_NAME = 64;

function describeOne(error: ErrorObject): string {
  const at = subject(error.instancePath);
  const p = (error.params ?? {}) as Record<string, unknown>;
  if (error.propertyName !== undefined) return `${at} has a property name ${quote(error.propertyName)} that ${error.message ?? 'is not allowed'}`;
  switch (error.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? (p.type as string[]) : String(p.type).split(',');
      return `${at} must be ${joinOr(types)}`;
    }
    case 'required':
      return `${at} must have required property ${quote(String(p.missingProperty))}`;
    case 'dependentRequired':
    case 'dependencies':
      return `${at} must have property ${quote(String(p.missingProperty))} when it has ${quote(String(p.property))}`;
    case 'additionalProperties':
      return `${at} has unknown property ${quote(String(p.additionalProperty))}`;
    case 'unevaluatedProperties':
      return `${at} has unknown property ${quote(String(p.unevaluatedProperty))}`;
    case 'enum':
      return `${at} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at} must be ${JSON.stringify(p.allowedValue)}`;
    case 'false schema':
      return `${at} is not allowed`;
    case 'not':
      return `${at} has a value the policy rules out`;
    default:
      return `${at} ${error.message ?? 'is invalid'}`;
  }
}

/** Errors of each branch of an anyOf/oneOf, keyed by branch index, in order. */
function branchErrors(errors: readonly ErrorObject[], combinator: ErrorObject): Map<string, ErrorObject[]> {
  const prefix = `${combinator.schemaPath}/`;
  const branches = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    if (e === combinator || !e.schemaPath.startsWith(prefix)) continue;
    const index = e.schemaPath.slice(prefix.length).split('/')[0]!;
    const branch = branches.get(index);
    if (branch) branch.push(e);
    else branches.set(index, [e]);
  }
  return branches;
}

/** `arguments.x must be string, or must be number`: the shared subject is said once. */
function joinAlternatives(phrases: string[]): string {
  const unique = [...new Set(phrases)];
  const first = unique[0]!;
  const head = first.slice(0, first.indexOf(' ') + 1);
  return unique.map((phrase, i) => (i > 0 && phrase.startsWith(head) ? phrase.slice(head.length) : phrase)).join(', or ');
}

/** The JSON pointer Ajv reports, as a path an agent reads: `/a/0/b c` → `arguments.a[0]["b c"]`. */
function subject(instancePath: string): string {
  if (instancePath === '') return 'arguments';
  let out = 'arguments';
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(?:0|[1-9]\d*)$/.test(segment)) out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment) && segment.length <= MAX_NAME) out += `.${segment}`;
    else out += `[${quote(segment)}]`;
  }
  return out;
}

function quote(name: string): string {
  return JSON.stringify(name.length > MAX_NAME ? `${name.slice(0, MAX_NAME)}…` : name);
}

/** `a`, `a or b`, `a, b or c`. */
export function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '(nothing)';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
