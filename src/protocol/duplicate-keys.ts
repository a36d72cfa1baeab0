/**
 * Scans text that JSON.parse has already accepted for what would make it mean different things
 * to different parsers, so that it is refused rather than relayed (SPEC §4): a member repeated in
 * one object (parsers disagree on which copy wins, and Go's encoding/json matches member names
 * case-insensitively, so `"path"` and `"Path"` are the same member there); a bare CR (Python's
 * text streams, Node's readline and Java's readLine end a line at CR, so a server using one would
 * read two or three messages where mcp-guard judged one); and nesting deep enough to overflow
 * the recursive code that would handle it (JSON.stringify fails at a few thousand levels).
 */

const QUOTE = 34;
const BACKSLASH = 92;
const CR = 13;
const LF = 10;
const TAB = 9;
const SPACE = 32;

/** Deeper messages are refused; no MCP message comes near it, and it stays far from stack limits. */
export const MAX_NESTING = 1000;

/** Past this many members, an object's names are kept in a Set (an array scan would be quadratic). */
const SMALL_OBJECT = 16;

export type Ambiguity =
  | { kind: 'duplicate-key'; key: string }
  | { kind: 'control-character'; key: string }
  | { kind: 'carriage-return' }
  | { kind: 'too-deep'; limit: number };

/**
 * A control character (U+0000–U+001F, U+007F) in a member name: C parsers such as cJSON stop a
 * name at U+0000, so `"name\u0000x"` is `name` to them and something else to every other reader.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/**
 * A member name as a case-insensitive parser sees it: Go folds each rune with
 * `unicode.ToUpper(unicode.ToLower(r))` (so `ſ` is `s` and the Kelvin sign is `k`), and decodes a
 * lone surrogate as U+FFFD. JavaScript's case mapping folds a little more (`ß` to `ss`), which
 * only refuses more. Lower-case ASCII names, nearly all of them, are returned as they are.
 */
export function foldMemberName(name: string): string {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c > 127) {
      return name.replace(LONE_SURROGATE, '\ufffd').toLowerCase().toUpperCase().toLowerCase();
    }
  }
  return name;
}
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The first member name that appears twice in one object (letter case aside), or undefined. */
export function findDuplicateKey(text: string): string | undefined {
  const found = scan(text, false);
  return found?.kind === 'duplicate-key' ? found.key : undefined;
}

/**
 * The first thing that makes this JSON text ambiguous to some parser, or undefined.
 * `allowCR` for text whose CRs are made spaces before anyone reads it.
 */
export function findAmbiguity(text: string, allowCR = false): Ambiguity | undefined {
  return scan(text, true, !allowCR);
}

/**
 * `findAmbiguity` for text that JSON.parse has turned into `value`, without scanning the text when
 * the value proves there is nothing to find: every object's member names are lower-case ASCII (or
 * the object has one member) with no control character, it is not deep enough to matter, the
 * text has no CR, and the text holds exactly as many members as the value. The last needs care:
 * each member in the text is a quote followed by `:` (white space between them allowed), and
 * inside a string a quote is always escaped, so the text's count of quote-colon pairs is its
 * members plus any `\":` in string contents; the value's count is the text's members less its
 * repeats. The two are equal only when there are no repeats and no `\":`. Whenever anything is
 * out of the ordinary the text is scanned, so the answer (and which ambiguity is named) is
 * always the scan's.
 */
export function findAmbiguityIn(text: string, value: unknown, allowCR = false): Ambiguity | undefined {
  // Members are counted with for-in, which would count an enumerable property something added to
  // Object.prototype once per object, and so could make up for a repeated name: never trusted then.
  if (text.length <= FAST_PATH_MAX && (allowCR || !text.includes('\r')) && !inheritsEnumerables()) {
    if (value === null || typeof value !== 'object') return undefined;
    const members = plainMembers(value, 0);
    if (members >= 0 && members === memberCount(text)) return undefined;
  }
  return scan(text, true, !allowCR);
}

/**
 * Longer texts are scanned: the saving is per message, and counting members with the regular
 * expression over 4 MiB results raised a session's peak RSS by ~15 MiB in the benchmark (the
 * realistic policy, which parses results whole: 160 MiB against 143 with this bound).
 */
const FAST_PATH_MAX = 64 * 1024;

const PLAIN = {};

function inheritsEnumerables(): boolean {
  for (const _ in PLAIN) return true;
  return false;
}

/**
 * Quote-colon pairs in the text (a `"`, white space, then `:`), found from each colon back: the
 * walk over white space stops at the first other character, so each is walked at most once.
 * (Counting the matches of a regular expression did the same at ~4% of a pipelined call.)
 */
function memberCount(text: string): number {
  let count = 0;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let i = colon - 1;
    let c = text.charCodeAt(i);
    while (c === SPACE || c === TAB || c === LF || c === CR) c = text.charCodeAt(--i);
    if (c === QUOTE) count++;
  }
  return count;
}

/** The members of every object in `value`, or -1 when a name or the nesting calls for the scan. */
function plainMembers(value: object, depth: number): number {
  if (depth >= MAX_NESTING) return -1;
  let total = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (element !== null && typeof element === 'object') {
        const inner = plainMembers(element, depth + 1);
        if (inner < 0) return -1;
        total += inner;
      }
    }
    return total;
  }
  let own = 0;
  let folds = false;
  for (const name in value) {
    own++;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c < 0x20 || c >= 0x7f) return -1;
      if (c >= 65 && c <= 90) folds = true;
    }
    const member: unknown = (value as Record<string, unknown>)[name];
    if (member !== null && typeof member === 'object') {
      const inner = plainMembers(member, depth + 1);
      if (inner < 0) return -1;
      total += inner;
    }
  }
  if (folds && own > 1) return -1;
  return total + own;
}

/** Whether the quote at `quote` is escaped: an odd run of backslashes before it, after `start` (the string's opening quote). */
function escapedQuote(text: string, quote: number, start: number): boolean {
  let k = quote - 1;
  while (k > start && text.charCodeAt(k) === BACKSLASH) k--;
  return (quote - 1 - k) % 2 === 1;
}

function scan(text: string, strict: boolean, refuseCR = strict): Ambiguity | undefined {
  // Each frame is the names seen in an open object (folded), or null for an open array.
  const stack: Array<string[] | Set<string> | null> = [];
  let expectKey = false;
  const n = text.length;
  // Strings are skipped with indexOf (native, far faster than a loop in JavaScript): a string
  // ends at the first quote after it with an even run of backslashes (none) before it. Every
  // search starts past the last, so the whole text is searched once. (An earlier version kept
  // the next backslash's index, searched again only once the scan passed it; in V8's optimised
  // code that search ran at every quote, and a 700 KB list took 0.7 s.)
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      let j = text.indexOf('"', i + 1);
      while (j !== -1 && escapedQuote(text, j, i)) j = text.indexOf('"', j + 1);
      if (j === -1) j = n;
      if (expectKey) {
        // `"a"` and `"\u0061"` are the same name: decode escapes before comparing.
        const written = text.slice(i + 1, j);
        const escaped = written.includes('\\');
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : written;
        // Raw control characters are invalid JSON; escaped ones, and a raw DEL, are not.
        if ((escaped || key.includes('\u007f')) && strict && CONTROL_CHARACTER.test(key)) return { kind: 'control-character', key };
        const folded = foldMemberName(key);
        let keys = stack[stack.length - 1]!;
        if (Array.isArray(keys)) {
          if (keys.includes(folded)) return { kind: 'duplicate-key', key };
          keys.push(folded);
          if (keys.length > SMALL_OBJECT) stack[stack.length - 1] = keys = new Set(keys);
        } else {
          if (keys.has(folded)) return { kind: 'duplicate-key', key };
          keys.add(folded);
        }
        expectKey = false;
      }
      i = j;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      stack.push(c === 123 ? [] : null);
      expectKey = c === 123;
      if (strict && stack.length > MAX_NESTING) return { kind: 'too-deep', limit: MAX_NESTING };
    } else if (c === CR) {
      // Outside a string (JSON.parse accepted the text), a CR can only be whitespace.
      if (refuseCR) return { kind: 'carriage-return' };
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
