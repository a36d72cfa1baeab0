/** Other ways servers read a string they are given as a path (self-protection.ts, path-within.ts). */

/**
 * The string with white space and quotes stripped from both ends, or undefined when it has none
 * there. Servers clean up what a model typed before they open it: server-filesystem trims and
 * unquotes the path it validates, Python code calls `strip()`; `" policy.json"` and
 * `'state/state.db'` are then mcp-guard's files, and `"/allowed/.."` (quoted) the directory
 * above an `x-path-within` root. White space is JavaScript's `trim()` and Python's `strip()`
 * together. Two loops, not a regular expression: one anchored at the end is tried at every
 * position of a run of spaces (see uri.ts).
 */
export function withoutEdges(text: string): string | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isEdge(text.charCodeAt(start))) start++;
  while (end > start && isEdge(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? undefined : text.slice(start, end);
}

function isEdge(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c === 0x22 || c === 0x27) return true;
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
