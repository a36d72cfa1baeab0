/**
 * JSON as text the fuzz suite controls token by token (duplicate members, escaped member names,
 * chosen whitespace, numbers kept as written), and a second, independent JSON parser that keeps
 * every member of an object so the suite can read a message the way other parsers would.
 */

/** A JSON value as it will be written: numbers keep their text, objects may repeat a member. */
export type JsonNode =
  | { t: 'lit'; text: string }
  | { t: 'str'; value: string; escape: Escape }
  | { t: 'arr'; items: JsonNode[] }
  | { t: 'obj'; entries: Array<[JsonKey, JsonNode]> };

export interface JsonKey {
  name: string;
  escape: Escape;
}

/** `json`: as JSON.stringify writes it (U+2028 stays raw); `unicode`: every character as `\uXXXX`. */
export type Escape = 'json' | 'unicode';

export const lit = (text: string): JsonNode => ({ t: 'lit', text });
export const str = (value: string, escape: Escape = 'json'): JsonNode => ({ t: 'str', value, escape });
export const arr = (items: JsonNode[]): JsonNode => ({ t: 'arr', items });
export const obj = (entries: Array<[string | JsonKey, JsonNode]>): JsonNode => ({
  t: 'obj',
  entries: entries.map(([k, v]) => [typeof k === 'string' ? { name: k, escape: 'json' } : k, v]),
});

function writeString(value: string, escape: Escape): string {
  if (escape === 'json') return JSON.stringify(value);
  let out = '"';
  for (let i = 0; i < value.length; i++) out += `\\u${value.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return `${out}"`;
}

/** Writes the tree, putting `ws[i % ws.length]` between tokens (so a bare CR can sit where JSON allows whitespace). */
export function serialize(node: JsonNode, ws: readonly string[] = ['']): string {
  let turn = 0;
  const gap = () => ws[turn++ % ws.length] ?? '';
  const parts: string[] = [];
  // Iterative, so that nesting deep enough to break a recursive writer can still be written.
  const stack: Array<JsonNode | string> = [node];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item === 'string') {
      parts.push(item);
      continue;
    }
    switch (item.t) {
      case 'lit':
        parts.push(item.text);
        break;
      case 'str':
        parts.push(writeString(item.value, item.escape));
        break;
      case 'arr': {
        const tokens: Array<JsonNode | string> = [`[${gap()}`];
        item.items.forEach((child, i) => {
          if (i > 0) tokens.push(`${gap()},${gap()}`);
          tokens.push(child);
        });
        tokens.push(`${gap()}]`);
        for (let i = tokens.length - 1; i >= 0; i--) stack.push(tokens[i]!);
        break;
      }
      case 'obj': {
        const tokens: Array<JsonNode | string> = [`{${gap()}`];
        item.entries.forEach(([key, child], i) => {
          if (i > 0) tokens.push(`${gap()},${gap()}`);
          tokens.push(`${writeString(key.name, key.escape)}${gap()}:${gap()}`);
          tokens.push(child);
        });
        tokens.push(`${gap()}}`);
        for (let i = tokens.length - 1; i >= 0; i--) stack.push(tokens[i]!);
        break;
      }
    }
  }
  return parts.join('');
}

// ── the independent parser ──────────────────────────────────────────────────────────────────

/** An object with every member kept, in order, duplicates included. */
export class Members {
  constructor(readonly entries: Array<[string, Tree]>) {}
}
export type Tree = null | boolean | number | string | Tree[] | Members;

/** How a parser resolves member names: exact or case-insensitive (Go's encoding/json), first or last copy wins. */
export interface View {
  caseInsensitive: boolean;
  firstWins: boolean;
  /** C parsers (cJSON) end a member name, and a string they hand on, at U+0000. */
  cString?: boolean;
}
export const VIEWS: readonly View[] = [
  { caseInsensitive: false, firstWins: false },
  { caseInsensitive: false, firstWins: true },
  { caseInsensitive: true, firstWins: false },
  { caseInsensitive: true, firstWins: true },
  { caseInsensitive: false, firstWins: true, cString: true },
];

/** A string as a parser with this view hands it on. */
export function asRead(value: Tree | undefined, view: View): Tree | undefined {
  return view.cString && typeof value === 'string' ? value.split('\0')[0] : value;
}

/** Go's folding of member names (`unicode.ToUpper(unicode.ToLower(r))`), so `ſ` matches `s`. */
export function foldKey(name: string): string {
  // Lone surrogates decode to U+FFFD in Go, so two different ones name the same member there.
  return name.replace(LONE_SURROGATE, '\ufffd').toLowerCase().toUpperCase();
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A member as a parser with this view would see it. */
export function member(node: Tree | undefined, name: string, view: View): Tree | undefined {
  if (!(node instanceof Members)) return undefined;
  const wanted = view.caseInsensitive ? foldKey(name) : name;
  let found: Tree | undefined;
  for (const [raw, value] of node.entries) {
    const key = view.cString ? raw.split('\0')[0]! : raw;
    if ((view.caseInsensitive ? foldKey(key) : key) !== wanted) continue;
    if (view.firstWins) return value;
    found = value;
  }
  return found;
}

export function hasMember(node: Tree | undefined, name: string, view: View): boolean {
  return member(node, name, view) !== undefined;
}

export class TooDeep extends Error {}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Parses exactly the JSON grammar (what JSON.parse accepts) into a Tree; throws on anything else. */
export function parseTree(text: string, maxDepth = 2000): Tree {
  let i = 0;
  const skip = () => {
    while (i < text.length && WS.has(text.charCodeAt(i))) i++;
  };
  const fail = (why: string): never => {
    throw new SyntaxError(`${why} at ${i}`);
  };
  const readString = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) i++;
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): Tree => {
    if (depth > maxDepth) throw new TooDeep();
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<[string, Tree]> = [];
      skip();
      if (text[i] === '}') {
        i++;
        return new Members(entries);
      }
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a member name');
        const key = readString();
        skip();
        if (text[i++] !== ':') fail('expected ":"');
        entries.push([key, value(depth + 1)]);
        skip();
        const sep = text[i++];
        if (sep === '}') return new Members(entries);
        if (sep !== ',') fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const items: Tree[] = [];
      skip();
      if (text[i] === ']') {
        i++;
        return items;
      }
      for (;;) {
        items.push(value(depth + 1));
        skip();
        const sep = text[i++];
        if (sep === ']') return items;
        if (sep !== ',') fail('expected "," or "]"');
      }
    }
    if (c === '"') return readString();
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) return fail('unexpected token');
    i += m[0].length;
    return JSON.parse(m[0]) as Tree;
  };
  const result = value(0);
  skip();
  if (i !== text.length) fail('text after the value');
  return result;
}

/** Every member name anywhere in the tree that repeats within its object, compared as Go compares them. */
export function foldedDuplicate(tree: Tree): string | undefined {
  const stack: Tree[] = [tree];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (Array.isArray(node)) stack.push(...node);
    else if (node instanceof Members) {
      const seen = new Set<string>();
      for (const [key, value] of node.entries) {
        const folded = foldKey(key);
        if (seen.has(folded)) return key;
        seen.add(folded);
        stack.push(value);
      }
    }
  }
  return undefined;
}
