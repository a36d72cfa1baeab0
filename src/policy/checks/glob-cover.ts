import { ANY, type CharSet, complement, isSubset, normalise, single } from './char-set.js';
import type { GlobKind } from '../engine/glob.js';

/**
 * Whether glob `a` matches every string glob `b` matches (so `b`, placed after `a`, can never
 * apply). Decided symbolically, token against token: sound (a "true" is always right) but not
 * complete (some coverings, e.g. by a union of alternatives, are not seen), which is what a
 * warning wants. Patterns that cannot be read give false.
 */
export function globCovers(a: string, b: string, kind: GlobKind = 'name'): boolean {
  const as = alternatives(a, kind);
  const bs = alternatives(b, kind);
  if (!as || !bs) return false;
  return bs.every((bt) => as.some((at) => coversSequence(at, bt)));
}

type Token = { t: 'one'; set: CharSet } | { t: 'star'; set: CharSet };

const NOT_SLASH = complement(single(0x2f));
/** Brace expansion beyond this many alternatives is not analysed. */
const MAX_ALTERNATIVES = 64;

function alternatives(pattern: string, kind: GlobKind): Token[][] | undefined {
  const expanded = expandBraces(Array.from(pattern));
  if (!expanded) return undefined;
  const out: Token[][] = [];
  for (const chars of expanded) {
    const tokens = tokenize(chars, kind);
    if (!tokens) return undefined;
    out.push(tokens);
  }
  return out;
}

/** `{a,b}c` → `ac`, `bc` (nested braces too); escapes are kept for tokenize. */
function expandBraces(chars: string[]): string[][] | undefined {
  let open = -1;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === '\\') {
      i++;
      continue;
    }
    if (chars[i] === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end !== -1) i = end;
      continue;
    }
    if (chars[i] === '{') {
      open = i;
      break;
    }
  }
  if (open === -1) return [chars];
  let depth = 0;
  const parts: string[][] = [[]];
  let close = -1;
  for (let i = open + 1; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      parts[parts.length - 1]!.push(c, chars[++i] ?? '');
      continue;
    }
    if (c === '{') depth++;
    if (c === '}' && depth-- === 0) {
      close = i;
      break;
    }
    if (c === ',' && depth === 0) parts.push([]);
    else parts[parts.length - 1]!.push(c);
  }
  if (close === -1) return undefined;
  const out: string[][] = [];
  for (const part of parts) {
    const rest = expandBraces([...chars.slice(0, open), ...part, ...chars.slice(close + 1)]);
    if (!rest) return undefined;
    out.push(...rest);
    if (out.length > MAX_ALTERNATIVES) return undefined;
  }
  return out;
}

function tokenize(chars: string[], kind: GlobKind): Token[] | undefined {
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) return undefined;
      tokens.push({ t: 'one', set: single(next.codePointAt(0)!) });
    } else if (c === '*') {
      let stars = 1;
      while (chars[i + 1] === '*') {
        stars++;
        i++;
      }
      tokens.push({ t: 'star', set: kind === 'uri' && stars === 1 ? NOT_SLASH : ANY });
    } else if (c === '?') {
      tokens.push({ t: 'one', set: kind === 'uri' ? NOT_SLASH : ANY });
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end === -1) return undefined;
      let body = chars.slice(i + 1, end);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      const ranges: Array<[number, number]> = [];
      for (let k = 0; k < body.length; k++) {
        const from = body[k]!.codePointAt(0)!;
        if (body[k + 1] === '-' && k + 2 < body.length) {
          ranges.push([from, body[k + 2]!.codePointAt(0)!]);
          k += 2;
        } else ranges.push([from, from]);
      }
      const set = normalise(ranges);
      tokens.push({ t: 'one', set: negate ? complement(set) : set });
      i = end;
    } else {
      tokens.push({ t: 'one', set: single(c.codePointAt(0)!) });
    }
  }
  return tokens;
}

function coversSequence(a: Token[], b: Token[]): boolean {
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (b.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === a.length) result = j === b.length;
    else {
      const ta = a[i]!;
      const tb = b[j];
      if (ta.t === 'star') {
        // a's star matches nothing more, or swallows b's next token whole.
        result = go(i + 1, j) || (tb !== undefined && isSubset(tb.set, ta.set) && go(i, j + 1));
      } else {
        result = tb !== undefined && tb.t === 'one' && isSubset(tb.set, ta.set) && go(i + 1, j + 1);
      }
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
