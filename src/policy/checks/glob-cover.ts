import { isSubset } from '../engine/char-set.js';
import { type GlobKind, type GlobToken, parseGlob } from '../engine/glob.js';

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

function alternatives(pattern: string, kind: GlobKind): GlobToken[][] | undefined {
  try {
    return parseGlob(pattern, kind).alternatives;
  } catch {
    return undefined;
  }
}


function coversSequence(a: GlobToken[], b: GlobToken[]): boolean {
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
