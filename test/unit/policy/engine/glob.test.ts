import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, isGlob } from '../../../../src/policy/engine/glob.js';

describe('compileGlob', () => {
  it.each([
    ['get-*', 'name', 'get-env', true],
    ['get-*', 'name', 'getenv', false],
    ['read_?', 'name', 'read_x', true],
    ['read_[ab]', 'name', 'read_c', false],
    ['read_[!ab]', 'name', 'read_c', true],
    ['{read,write}_file', 'name', 'write_file', true],
    ['a.b(c)+$', 'name', 'a.b(c)+$', true],
    ['*', 'name', 'ns/tool.v2', true],
    ['file:///home/*', 'uri', 'file:///home/a/b', false],
    ['file:///home/**', 'uri', 'file:///home/a/b', true],
    ['file:///home/\\*', 'uri', 'file:///home/*', true],
  ] as const)('%s (%s) vs %s → %s', (pattern, kind, name, expected) => {
    expect(compileGlob(pattern, kind).test(name)).toBe(expected);
  });
  it('tells patterns from names and rejects malformed ones', () => {
    expect(isGlob('read_*')).toBe(true);
    expect(isGlob('read-file.v2')).toBe(false);
    expect(isGlob('a\\*')).toBe(false);
    expect(() => compileGlob('[abc')).toThrow(SyntaxError);
    expect(() => compileGlob('{a,b')).toThrow(SyntaxError);
  });
});

/** Glob pieces the property builds patterns from. */
const PIECES = ['a', 'b', '/', '*', '**', '?', '[ab]', '[!a]', '[a-c/]', '{a,b/}', '{*a,?}', '\\*'];

/**
 * The oracle: a glob as a JavaScript regular expression, written independently of glob.ts for the
 * pieces above. Braces are expanded first (a star inside one may join a star beside it); then a
 * run of stars is one `*` (any run without `/` in a URI) or several (any run at all).
 */
function globAsRegExp(glob: string, kind: 'name' | 'uri'): RegExp {
  const alternatives = (text: string): string[] => {
    const open = text.indexOf('{');
    if (open === -1) return [text];
    const close = text.indexOf('}', open);
    return text
      .slice(open + 1, close)
      .split(',')
      .flatMap((part) => alternatives(text.slice(0, open) + part + text.slice(close + 1)));
  };
  const any = '[^]';
  const one = kind === 'uri' ? '[^/]' : any;
  const translate = (alt: string): string => {
    let out = '';
    for (let i = 0; i < alt.length; i++) {
      const c = alt[i]!;
      if (c === '\\') out += `\\${alt[++i]}`;
      else if (c === '*') {
        let stars = 1;
        while (alt[i + 1] === '*') {
          stars++;
          i++;
        }
        out += `${stars === 1 ? one : any}*`;
      } else if (c === '?') out += one;
      else if (c === '[') {
        const end = alt.indexOf(']', i);
        out += `[${alt.slice(i + 1, end).replace(/^!/, '^').replace('/', '\\/')}]`;
        i = end;
      } else out += c.replace(/[/]/, '\\/');
    }
    return out;
  };
  return new RegExp(`^(?:${alternatives(glob).map(translate).join('|')})$`, 'u');
}

describe('compileGlob matches what the same pattern as a regular expression matches', () => {
  // A literal head of 30 characters makes the pattern too long for one integer of states: the
  // simulation that steps the states one by one runs it instead.
  it.each([
    ['name', ''],
    ['uri', ''],
    ['name', 'c'.repeat(30)],
    ['uri', 'c'.repeat(30)],
  ] as const)('for %s globs (literal head %j)', (kind, head) => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c', '/', '*', '\n', '\u{1F600}'), maxLength: 12 }),
        (pieces, tail) => {
          const glob = head + pieces.join('');
          const input = head + tail;
          expect(compileGlob(glob, kind).test(input)).toBe(globAsRegExp(glob, kind).test(input));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
