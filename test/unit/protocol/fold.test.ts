import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldName } from '../../../src/protocol/fold.js';

/** The definition (SPEC §4 and fold.ts): NFKC, without default ignorables, trimmed, lower case. */
const definition = (name: string) => name.normalize('NFKC').replace(/\p{Default_Ignorable_Code_Point}/gu, '').trim().toLowerCase();

describe('foldName', () => {
  it('is the definition on any string, the plain ASCII shortcut included', () => {
    const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)), maxLength: 12 });
    const mixed = fc.string({ unit: fc.constantFrom('a', 'Z', '_', ' ', '\t', '\u00ad', '\u200b', 'ﬁ', 'Å', 'ſ', '\u212a', '\u00a0', '\u007f', '~'), maxLength: 8 });
    fc.assert(
      fc.property(fc.oneof(ascii, mixed, fc.string()), (name) => {
        expect(foldName(name)).toBe(definition(name));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['read_file', 'read_file'],
    ['Read_File', 'read_file'],
    [' read_file', 'read_file'],
    ['read\u200bfile', 'readfile'],
    ['ｒｅａｄ', 'read'],
    ['tools/call\u007f', 'tools/call\u007f'],
  ])('%j folds to %j', (name, folded) => expect(foldName(name)).toBe(folded));
});
