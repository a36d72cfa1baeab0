/** Other ways servers read a string they are given as a path (self-protection.ts, path-within.ts). */

/**
 * The string with white space and quotes stripped from both ends, or undefined when it has none
 * there. Servers clean up what a model typed before they open it: server-filesystem trims and
 * unquotes the path it validates, Python code calls `strip()`; `" policy.json"` and
 * `'state/state.db'` are then mcp-guard's files, and `"/allowed/.."` (quoted) the directory
 * above an `x-path-within` root. White space is JavaScript's `trim()` and Python's `strip()`
 * together.
 */
export function withoutEdges(text: string): string | undefined {
  const stripped = stripEnds(text, isEdge);
  return stripped.length === text.length ? undefined : stripped;
}

/**
 * `text` without the characters at either end that `strip` says to take off: two loops, linear
 * in the text (a regular expression anchored at the end is tried at every position of a run).
 */
export function stripEnds(text: string, strip: (c: number) => boolean): string {
  let start = 0;
  let end = text.length;
  while (start < end && strip(text.charCodeAt(start))) start++;
  while (end > start && strip(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isEdge(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c >= 0x1c;
  if (c === 0x22 || c === 0x27) return true;
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Past this length a reading is not made: no path is that long, and a string of `$PATH`s must not grow without bound. */
const MAX_READING = 64 * 1024;

/**
 * `$NAME` and `${NAME}` replaced by the variable's value where it is set, as Python's
 * `os.path.expandvars` and shells do (a name is ASCII letters, digits and `_`; `${…}` anything
 * up to the `}`), or undefined when nothing was replaced or the result would pass MAX_READING.
 * Linear: the next `}` is searched for once and kept until the scan passes it.
 */
export function expandVariables(text: string, variable: (name: string) => string | undefined): string | undefined {
  let out = '';
  let last = 0;
  let close = -2;
  for (let i = text.indexOf('$'); i !== -1; i = text.indexOf('$', i + 1)) {
    let name: string;
    let end: number;
    if (text.charCodeAt(i + 1) === 0x7b /* { */) {
      if (close !== -1 && close < i + 2) close = text.indexOf('}', i + 2);
      if (close === -1) continue;
      name = text.slice(i + 2, close);
      end = close + 1;
    } else {
      end = i + 1;
      while (end < text.length && isWordCharacter(text.charCodeAt(end))) end++;
      if (end === i + 1) continue;
      name = text.slice(i + 1, end);
    }
    const value = variable(name);
    // Unset: left as it is, and the scan goes on after it (`${$HOME}` is not `${/home/me}`).
    if (value === undefined) {
      i = end - 1;
      continue;
    }
    out += text.slice(last, i) + value;
    if (out.length > MAX_READING) return undefined;
    last = end;
    i = end - 1;
  }
  if (last === 0) return undefined;
  out += text.slice(last);
  return out.length > MAX_READING ? undefined : out;
}

function isWordCharacter(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}

/** More readings than every combination of the transforms below makes of an ordinary string. */
const MAX_READINGS = 64;

/** Shared by every string read no other way (most of them): nothing is allocated for it. */
const NONE: readonly string[] = Object.freeze([]);

/** What a string may be read as besides itself. */
export interface ReadingEnv {
  /** An environment variable of the server's (it inherits mcp-guard's), or undefined. */
  variable?(name: string): string | undefined;
}

/**
 * The ways servers read `text` as a path besides as written, each once: up to its first NUL
 * (C) and without its NULs (sanitizers); without white space and quotes at its ends; with `\`
 * for `/` (servers written for Windows input); with its environment variables expanded. Every
 * combination of the ones that change it, for a server may do several. Empty, and cheap, for a
 * string with none of NUL, `\`, `$` or an edge character at either end.
 */
export function otherReadings(text: string, env: ReadingEnv = {}): readonly string[] {
  const n = text.length;
  if (n === 0) return NONE;
  // A string longer than any reading is kept to: judged as written, and up to its first NUL (a
  // slice, no copy). Copies of a 64 MiB string, one per reading, would hold gigabytes.
  if (n > MAX_READING) {
    const nul = text.indexOf('\0');
    return nul === -1 ? NONE : [text.slice(0, nul)];
  }
  const edged = isEdge(text.charCodeAt(0)) || isEdge(text.charCodeAt(n - 1));
  if (!edged && !text.includes('\0') && !text.includes('\\') && !(env.variable && text.includes('$'))) return NONE;
  const variable = env.variable;
  const transforms: Array<(s: string) => string | undefined> = [
    (s) => (s.includes('\0') ? s.slice(0, s.indexOf('\0')) : undefined),
    (s) => (s.includes('\0') ? s.replaceAll('\0', '') : undefined),
    withoutEdges,
    (s) => (s.includes('\\') ? s.replaceAll('\\', '/') : undefined),
    (s) => (variable && s.includes('$') ? expandVariables(s, variable) : undefined),
  ];
  // Until nothing new comes (a variable's value may itself end in a space or hold a `\`), and at
  // most MAX_READINGS: each transform can only apply once more to what another made.
  const readings = [text];
  for (let grew = true; grew && readings.length < MAX_READINGS; ) {
    grew = false;
    for (const transform of transforms) {
      for (const reading of readings.slice()) {
        const other = transform(reading);
        if (other !== undefined && other !== reading && !readings.includes(other) && readings.length < MAX_READINGS) {
          readings.push(other);
          grew = true;
        }
      }
    }
  }
  return readings.slice(1);
}
