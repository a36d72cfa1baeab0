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
