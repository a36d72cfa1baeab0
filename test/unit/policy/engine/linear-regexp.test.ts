import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearRegExp } from '../../../../src/policy/engine/linear-regexp.js';

/**
 * Patterns from literals, `.`, `\\s`, `\\S`, escapes, classes (with those inside, `[]` and
 * `[^]`), alternation, groups, quantifiers and anchors: the syntax RE2 would read differently
 * from JavaScript unless rewritten, and the syntax around it.
 */
const atom: fc.Arbitrary<string> = fc.constantFrom(
  'a',
  'b',
  '.',
  '\\.',
  '\\s',
  '\\S',
  '\\u00a0',
  '\\u{2028}',
  '\\cM',
  '\\uD83D\\uDE00',
  '[ab]',
  '[^a]',
  '[\\s]',
  '[^\\s]',
  '[\\S]',
  '[^\\Sa]',
  '[.]',
  '[\\]a]',
  '[]',
  '[^]',
  '[\\b]',
  '\\b',
  'ab',
);
const pattern: fc.Arbitrary<string> = fc
  .letrec<{ term: string }>((tie) => ({
    term: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atom,
      fc.tuple(tie('term'), tie('term')).map(([x, y]) => x + y),
      fc.tuple(tie('term'), tie('term')).map(([x, y]) => `(${x}|${y})`),
      fc.tuple(tie('term'), fc.constantFrom('*', '+', '?', '{1,2}', '*?', '{2}')).map(([x, q]) => `(${x})${q}`),
    ),
  }))
  .term.chain((body) => fc.tuple(fc.constantFrom('', '^'), fc.constant(body), fc.constantFrom('', '$')).map((parts) => parts.join('')));

/** Characters the rewritten syntax is about: ASCII and Unicode spaces, line ends, a surrogate pair. */
const text = fc.string({ unit: fc.constantFrom('a', 'b', ']', '.', ' ', '\b', '\t', '\n', '\r', '\v', '\u00a0', '\u2028', '\u3000', '\ufeff', '\u{1F600}'), maxLength: 10 });

describe('linearRegExp', () => {
  it('finds a match exactly where JavaScript does, anywhere in the text', () => {
    fc.assert(
      fc.property(pattern, text, (source, subject) => {
        expect(linearRegExp(source).test(subject)).toBe(new RegExp(source, 'u').test(subject));
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['^\\s*rm ', '\u00a0rm -rf ~', true],
    ['^\\s*rm ', '\vrm -rf ~', true],
    ['^https://.+$', 'https://a\r\nb', false],
    ['^\\S+$', 'a\u3000b', false],
    ['^[\\w\\s]+$', 'a\u2029b', true],
    ['^\\u0041\\u{42}$', 'AB', true],
  ])('%j on %j is %s, as in JavaScript', (source, subject, expected) => {
    expect(new RegExp(source, 'u').test(subject)).toBe(expected);
    expect(linearRegExp(source).test(subject)).toBe(expected);
  });

  it.each([
    ['\\Qa.b\\E$', 'a.b', true],
    ['\\Qa.b\\E$', 'axb', false],
    ['\\Q\\s', '\\s', true],
    ['^[[:alpha:].]+$', 'ab.c', true],
    ['^[[:alpha:].]+$', 'a\u00a0', false],
    ['^[^[:space:]]$', 'x', true],
  ])('keeps the RE2 meaning of %j, which is not ECMAScript syntax: on %j it is %s', (source, subject, expected) => {
    expect(linearRegExp(source).test(subject)).toBe(expected);
  });

  it('runs a pattern JavaScript would backtrack on in time linear in the text', () => {
    // `^(a+)+$` on "aaa…b" takes JavaScript exponential time; RE2 answers at once.
    expect(linearRegExp('^(a+)+$').test(`${'a'.repeat(100_000)}b`)).toBe(false);
    expect(linearRegExp('^(a+)+$').test('a'.repeat(100_000))).toBe(true);
  });
});
