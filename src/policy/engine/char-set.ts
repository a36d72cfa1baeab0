/** Sets of code points as sorted, disjoint, inclusive ranges: for regex and glob analysis. */
export type CharSet = ReadonlyArray<readonly [number, number]>;

export const MAX_CODE_POINT = 0x10ffff;
export const ANY: CharSet = [[0, MAX_CODE_POINT]];

export function normalise(ranges: ReadonlyArray<readonly [number, number]>): CharSet {
  const sorted = ranges.filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function complement(set: CharSet): CharSet {
  const out: Array<[number, number]> = [];
  let next = 0;
  for (const [a, b] of set) {
    if (a > next) out.push([next, a - 1]);
    next = b + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

export function intersects(x: CharSet, y: CharSet): boolean {
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const [a1, b1] = x[i]!;
    const [a2, b2] = y[j]!;
    if (a1 <= b2 && a2 <= b1) return true;
    if (b1 < b2) i++;
    else j++;
  }
  return false;
}

/** Whether every member of `x` is in `y`. */
export function isSubset(x: CharSet, y: CharSet): boolean {
  return !intersects(x, complement(y));
}

export function single(code: number): CharSet {
  return [[code, code]];
}
