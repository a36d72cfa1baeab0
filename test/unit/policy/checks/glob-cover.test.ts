import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileGlob } from '../../../../src/policy/engine/glob.js';
import { globCovers } from '../../../../src/policy/checks/glob-cover.js';

describe('globCovers', () => {
  it.each([
    ['*', 'read_*', 'name'],
    ['read_*', 'read_secret*', 'name'],
    ['read_*', 'read_file', 'name'],
    ['*_file', 'read_?_file', 'name'],
    ['{read,write}_*', 'write_x*', 'name'],
    ['[a-z]*', 'abc*', 'name'],
    ['?*', '[ab]*x', 'name'],
    ['file:///home/**', 'file:///home/me/*.txt', 'uri'],
    ['file:///home/*/x', 'file:///home/[ab]/x', 'uri'],
  ] as const)('%s covers %s', (a, b, kind) => {
    expect(globCovers(a, b, kind)).toBe(true);
  });

  it.each([
    ['read_*', '*', 'name'],
    ['read_?', 'read_*', 'name'],
    ['a*', 'b*', 'name'],
    ['?*', '*', 'name'],
    ['file:///home/*', 'file:///home/**', 'uri'],
    ['file:///home/*', 'file:///home/a/b', 'uri'],
    ['[a-c]*', '[a-d]*', 'name'],
    ['read_[', 'read_x', 'name'],
  ] as const)('%s does not cover %s', (a, b, kind) => {
    expect(globCovers(a, b, kind)).toBe(false);
  });

  it('is never wrong when it says "covers" (against the compiled globs, on sample names)', () => {
    const piece = fc.constantFrom('a', 'b', '_', '*', '?', '[ab]', '[!a]', '{a,b}', 'ab', '/');
    const glob = fc.array(piece, { maxLength: 4 }).map((p) => p.join(''));
    const name = fc.array(fc.constantFrom('a', 'b', 'c', '_', '/'), { maxLength: 6 }).map((c) => c.join(''));
    fc.assert(
      fc.property(glob, glob, fc.array(name, { minLength: 20, maxLength: 20 }), fc.constantFrom('name', 'uri') as fc.Arbitrary<'name' | 'uri'>, (a, b, names, kind) => {
        if (!globCovers(a, b, kind)) return;
        const ra = compileGlob(a, kind);
        const rb = compileGlob(b, kind);
        for (const n of names) if (rb.test(n)) expect(ra.test(n)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
