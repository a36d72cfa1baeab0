import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import { RE2_SYNTAX } from './pattern-syntax.js';

/**
 * The `pattern` and `patternProperties` keywords of `args`/`when` schemas run on RE2 (re2js):
 * matching costs time linear in the argument, so no pattern can stall the relay, as
 * `^(.*?,){11}P` on a long argument did with JavaScript's backtracking RegExp (SPEC §4). A
 * pattern RE2 cannot run (backreferences, lookaround) fails to compile, and lint reports it.
 *
 * JSON Schema patterns are ECMAScript regular expressions, and a few pieces of that syntax mean
 * something else to RE2; they are rewritten first (toRe2) so a pattern matches what it would in
 * JavaScript. Otherwise `"^\\s*rm "` let "\u00a0rm -rf ~" past a deny rule (RE2's `\s` is
 * ASCII; Python's `split()` takes the no-break space for a space), and `^https://.+$` let a
 * carriage return through (RE2's `.` stops only at "\n").
 */
export const linearRegExp: RegExpEngine = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(toRe2(pattern));
    // test() asks only whether there is a match, so re2js can run its DFA: 1.5-3x faster than
    // matcher().find() on short arguments, ~15x on 100 KB of `^(a+)+$` (15 ms to 1 ms).
    return { test: (text: string) => re.test(text), toString: () => `re2:${pattern}` };
  },
  { code: 'linearRegExp' },
);

/** Why RE2 cannot run `pattern` (ECMAScript, or RE2's own syntax), or undefined when it can. */
export function linearRegExpError(pattern: string, syntax: 'ecmascript' | 're2' = 'ecmascript'): string | undefined {
  try {
    RE2JS.compile(syntax === 're2' ? pattern : toRe2(pattern));
    return undefined;
  } catch (error) {
    return (error as Error).message.replace(/^error parsing regexp: /, '');
  }
}

/** ECMAScript's white space and line terminators (`\s`), as RE2 class ranges. */
const SPACE = '\\t\\n\\x{0B}\\f\\r \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}';
/** Everything else (`\S`), as ranges usable inside another class. */
const NOT_SPACE =
  '\\x{0}-\\x{8}\\x{E}-\\x{1F}\\x{21}-\\x{9F}\\x{A1}-\\x{167F}\\x{1681}-\\x{1FFF}\\x{200B}-\\x{2027}\\x{202A}-\\x{202E}\\x{2030}-\\x{205E}\\x{2060}-\\x{2FFF}\\x{3001}-\\x{FEFE}\\x{FF00}-\\x{10FFFF}';
/** A POSIX class as RE2 reads one inside a bracket expression. */
const POSIX_CLASS = /^\[:\^?[A-Za-z]+:\]/;
/** ECMAScript's `.`: any character but a line terminator. */
const ANY_BUT_LINE_END = '[^\\n\\r\\x{2028}\\x{2029}]';

/**
 * `pattern` with the ECMAScript syntax RE2 reads differently rewritten to RE2's: `\s`, `\S` and
 * `.` as ECMAScript defines them, `\uHHHH`, `\u{X…}`, `\cX` and `[\b]` as `\x{…}`, and the classes `[]`
 * (matches nothing) and `[^]` (any character), which RE2 would read as the start of a class
 * holding `]`. Everything else is passed through as written, and so are RE2's own `\Q…\E` and
 * `[:alpha:]` (no ECMAScript pattern has them) and a pattern marked RE2_SYNTAX.
 */
export function toRe2(pattern: string): string {
  if (pattern.startsWith(RE2_SYNTAX)) return pattern;
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      const unicode = next === 'u' ? unicodeEscape(pattern, i) : undefined;
      if (next === 'Q') {
        // RE2's quoted text (`\Q…\E`, not ECMAScript syntax) is literal: copied as it is.
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end === -1 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop - 1;
      } else if (unicode) {
        out += `\\x{${unicode.hex}}`;
        i = unicode.end - 1;
      } else if (next === 'c' && /[A-Za-z]/.test(pattern[i + 2] ?? '')) {
        // `\cJ`: a control character, its letter's code modulo 32.
        out += `\\x{${(pattern.charCodeAt(i + 2) % 32).toString(16)}}`;
        i += 2;
      } else if (next === 'b' && inClass) {
        // A backspace inside a class (a word boundary outside one, for both).
        out += '\\x{8}';
        i++;
      } else if (next === 's') {
        out += inClass ? SPACE : `[${SPACE}]`;
        i++;
      } else if (next === 'S') {
        out += inClass ? NOT_SPACE : `[^${SPACE}]`;
        i++;
      } else {
        // Any other escape, as a pair (so an escaped `[`, `]` or `\` is never read as syntax).
        out += c + (next ?? '');
        i++;
      }
    } else if (inClass) {
      // RE2's `[:alpha:]` inside a class (not ECMAScript syntax) is copied whole: its `]` does not end the class.
      const posix = c === '[' ? POSIX_CLASS.exec(pattern.slice(i, i + 16)) : null;
      if (posix) {
        out += posix[0];
        i += posix[0].length - 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      if (pattern.startsWith('[]', i)) {
        out += '[^\\x{0}-\\x{10FFFF}]';
        i += 1;
      } else if (pattern.startsWith('[^]', i)) {
        out += '[\\x{0}-\\x{10FFFF}]';
        i += 2;
      } else {
        inClass = true;
        out += c;
        // A `^` that negates the class is copied with it.
        if (pattern[i + 1] === '^') {
          out += '^';
          i++;
        }
      }
    } else if (c === '.') {
      out += ANY_BUT_LINE_END;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * `\uHHHH` or `\u{X…}` at `start`, as the hex digits of its code point and the index after it.
 * Two `\uHHHH` that make a surrogate pair are one code point, as with the `u` flag.
 */
function unicodeEscape(pattern: string, start: number): { hex: string; end: number } | undefined {
  const braced = /^\\u\{([0-9A-Fa-f]{1,6})\}/.exec(pattern.slice(start, start + 10));
  if (braced) return { hex: braced[1]!, end: start + braced[0].length };
  const pair = /^\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})/i.exec(pattern.slice(start, start + 12));
  if (pair) {
    const point = 0x10000 + ((parseInt(pair[1]!, 16) - 0xd800) << 10) + (parseInt(pair[2]!, 16) - 0xdc00);
    return { hex: point.toString(16), end: start + 12 };
  }
  const fixed = /^\\u([0-9A-Fa-f]{4})/.exec(pattern.slice(start, start + 6));
  return fixed ? { hex: fixed[1]!, end: start + 6 } : undefined;
}
