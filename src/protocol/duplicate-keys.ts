/**
 * Scans text that JSON.parse has already accepted. Parsers disagree on which duplicate member
 * wins (first, last, case-insensitive), so a message with one cannot be judged safely and is
 * refused (SPEC §4).
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** The first member name that appears twice in one object, or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  // Each frame is the list of keys seen in an open object, or null for an open array.
  const stack: Array<string[] | null> = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === BACKSLASH) {
          escaped = true;
          j++;
        } else if (d === QUOTE) break;
      }
      if (expectKey) {
        // `"a"` and `"\u0061"` are the same name: decode escapes before comparing.
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        const keys = stack[stack.length - 1]!;
        if (keys.includes(key)) return key;
        keys.push(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 123 /* { */) {
      stack.push([]);
      expectKey = true;
    } else if (c === 91 /* [ */) {
      stack.push(null);
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
      expectKey = false;
    } else if (c === 44 /* , */) {
      expectKey = stack.length > 0 && stack[stack.length - 1] !== null;
    }
  }
  return undefined;
}

/**
 * [start, end) of each object or array element of a top-level JSON array, in order, so allowed
 * batch elements can be relayed as the exact text that was judged.
 */
export function topLevelElements(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === 123 || c === 91) {
      if (depth === 1) start = i;
      depth++;
    } else if (c === 125 || c === 93) {
      depth--;
      if (depth === 1 && start >= 0) {
        spans.push([start, i + 1]);
        start = -1;
      }
    }
  }
  return spans;
}
