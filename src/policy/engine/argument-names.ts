import { foldName } from '../../protocol/fold.js';

/**
 * The argument member names a rule's schemas (`args` and every `when`) name, as a tree that
 * follows `properties` and array `items`. A call whose member differs from a named one only in
 * letter case, Unicode form, invisible characters or surrounding spaces (`"Path"` where the
 * schema says `path`) is refused (SPEC §4): Go's encoding/json reads it as `path`, while the
 * schema never looked at it.
 */
export interface PropertyTree {
  /** Folded name → the names as the schemas spell them. */
  folded: Map<string, Set<string>>;
  children: Map<string, PropertyTree>;
  /** The schema of array elements, when one is given. */
  items: PropertyTree | undefined;
}

export function propertyTree(schemas: readonly unknown[]): PropertyTree | undefined {
  const tree: PropertyTree = { folded: new Map(), children: new Map(), items: undefined };
  for (const schema of schemas) addSchema(tree, schema, 0);
  return tree.folded.size === 0 && tree.items === undefined ? undefined : tree;
}

const MAX_DEPTH = 64;

function addSchema(tree: PropertyTree, schema: unknown, depth: number): void {
  if (schema === null || typeof schema !== 'object' || depth > MAX_DEPTH) return;
  const s = schema as Record<string, unknown>;
  const props = s.properties;
  if (props !== null && typeof props === 'object') {
    for (const [name, sub] of Object.entries(props)) {
      const folded = foldName(name);
      let names = tree.folded.get(folded);
      if (!names) tree.folded.set(folded, (names = new Set()));
      names.add(name);
      let child = tree.children.get(name);
      if (!child) tree.children.set(name, (child = { folded: new Map(), children: new Map(), items: undefined }));
      addSchema(child, sub, depth + 1);
    }
  }
  if (s.items !== null && typeof s.items === 'object') {
    tree.items ??= { folded: new Map(), children: new Map(), items: undefined };
    addSchema(tree.items, s.items, depth + 1);
  }
  // Combinators name properties too: `anyOf: [{ properties: { action: … } }]`.
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    const list = s[key];
    if (Array.isArray(list)) for (const sub of list) addSchema(tree, sub, depth + 1);
  }
  for (const key of ['not', 'if', 'then', 'else']) addSchema(tree, s[key], depth + 1);
  const required = s.required;
  if (Array.isArray(required)) {
    for (const name of required) {
      if (typeof name !== 'string') continue;
      const folded = foldName(name);
      if (!tree.folded.has(folded)) tree.folded.set(folded, new Set([name]));
      else tree.folded.get(folded)!.add(name);
    }
  }
}

/** `"Path"` (at `arguments.Path`) for the first member that only resembles a named one; undefined when none does. */
export function findNameVariant(args: unknown, tree: PropertyTree, at = 'arguments'): { path: string; name: string; meant: string } | undefined {
  if (args === null || typeof args !== 'object') return undefined;
  if (Array.isArray(args)) {
    if (!tree.items) return undefined;
    for (let i = 0; i < args.length; i++) {
      const found = findNameVariant(args[i], tree.items, `${at}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [name, value] of Object.entries(args)) {
    const child = tree.children.get(name);
    if (child) {
      const found = findNameVariant(value, child, `${at}.${name}`);
      if (found) return found;
      continue;
    }
    const names = tree.folded.get(foldName(name));
    if (names && !names.has(name)) return { path: `${at}.${name}`, name, meant: [...names][0]! };
  }
  return undefined;
}
