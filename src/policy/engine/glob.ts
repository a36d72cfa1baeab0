/**
 * Glob patterns for policy keys: `*`, `?`, `[...]` (with `!` or `^` to negate), `{a,b}`, and a
 * backslash to escape. For names (tools, prompts, `hide`) a `*` matches any run of characters;
 * for resource URIs a `*` stops at `/` and `**` crosses it, as in file globs.
 */
export type GlobKind = 'name' | 'uri';

const GLOB_CHARS = /[*?[{]/;

/** Whether a policy key is a pattern rather than an exact name. */
export function isGlob(pattern: string): boolean {
  return GLOB_CHARS.test(pattern.replace(/\\./g, ''));
}

/**
 * Compiles a glob to an anchored RegExp; throws a SyntaxError naming the problem for a malformed one.
 * `s`: a `*` must match line breaks too, or `file:///secrets/**` would miss `file:///secrets/\n/../key`.
 */
export function compileGlob(pattern: string, kind: GlobKind = 'name', flags = 'su'): RegExp {
  return new RegExp(`^${translate(pattern, kind)}$`, flags);
}

function escapeRegExp(char: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(char) ? `\\${char}` : char;
}

function translate(pattern: string, kind: GlobKind): string {
  let out = '';
  let braceDepth = 0;
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      const next = chars[++i];
      if (next === undefined) throw new SyntaxError(`pattern "${pattern}" ends with a lone backslash`);
      out += escapeRegExp(next);
    } else if (c === '*') {
      let stars = 1;
      while (chars[i + 1] === '*') {
        stars++;
        i++;
      }
      out += kind === 'uri' && stars === 1 ? '[^/]*' : '.*';
    } else if (c === '?') {
      out += kind === 'uri' ? '[^/]' : '.';
    } else if (c === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end === -1) throw new SyntaxError(`pattern "${pattern}" has a "[" with no closing "]"`);
      let body = chars.slice(i + 1, end);
      let negate = false;
      if (body[0] === '!' || body[0] === '^') {
        negate = true;
        body = body.slice(1);
      }
      out += `[${negate ? '^' : ''}${body.map((b) => (b === '\\' || b === ']' || b === '[' || b === '^' ? `\\${b}` : b)).join('')}]`;
      i = end;
    } else if (c === '{') {
      braceDepth++;
      out += '(?:';
    } else if (c === ',' && braceDepth > 0) {
      out += '|';
    } else if (c === '}' && braceDepth > 0) {
      braceDepth--;
      out += ')';
    } else {
      out += escapeRegExp(c);
    }
  }
  if (braceDepth > 0) throw new SyntaxError(`pattern "${pattern}" has a "{" with no closing "}"`);
  return out;
}
