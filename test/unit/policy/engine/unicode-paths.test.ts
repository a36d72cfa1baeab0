// Paths spelt in another Unicode normalization (NFC vs NFD, the Kelvin sign for K): macOS file
// systems and servers that look a missing name up among the existing ones (server-filesystem's
// resolveUnicodeEquivalentPath) open them as the existing entry, so path resolution follows that
// entry and self-protection compares paths in NFC.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isAscii, nfc } from '../../../../src/policy/engine/nfc.js';
import { isPathWithin, type PathEnv, resolveLikeTheOs } from '../../../../src/policy/engine/path-within.js';
import { type ProtectedLocation, protectToolArguments } from '../../../../src/policy/engine/self-protection.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

const NFD = (text: string) => text.normalize('NFD');
const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'unicode-paths-')));
const ws = path.join(dir, 'caf\u00e9');
mkdirSync(path.join(ws, 'allowed'), { recursive: true });
mkdirSync(path.join(ws, 'Keep'));
mkdirSync(path.join(dir, 'outside'));
writeFileSync(path.join(ws, 'policy.json'), '{}');
writeFileSync(path.join(ws, 'notes.md'), 'notes');
symlinkSync(path.join(dir, 'outside'), path.join(ws, 'allowed', 'l\u00efnk'));
symlinkSync(path.join(ws, 'policy.json'), path.join(ws, '\u00e9criture.json'));
// A directory whose name is decomposed on disk (as files copied from macOS keep it), holding a link out.
mkdirSync(path.join(ws, 'allowed', 'd\u00e9cor'.normalize('NFD')));
symlinkSync(path.join(dir, 'outside'), path.join(ws, 'allowed', 'd\u00e9cor'.normalize('NFD'), 'out'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nfc', () => {
  it('leaves ASCII and NFC text as it is, and composes the rest', () => {
    expect(nfc('policy.json')).toBe('policy.json');
    expect(nfc('cafe\u0301')).toBe('caf\u00e9');
    expect(nfc('\u212Aeep')).toBe('Keep');
    expect(isAscii('Keep/state.db')).toBe(true);
    expect(isAscii('caf\u00e9')).toBe(false);
    expect(isAscii('\ud83d\ude00')).toBe(false);
    expect(isAscii('\ud800')).toBe(false);
  });
});

describe('path resolution through names spelt otherwise', () => {
  const env = () => hostFileSystem({ home: dir, cwd: ws });

  it('takes a decomposed or Kelvin-sign spelling as the existing entry, and follows it when it is a link', () => {
    expect(resolveLikeTheOs(NFD(path.join(ws, 'notes.md')), env())).toEqual([path.join(ws, 'notes.md')]);
    expect(resolveLikeTheOs(path.join(ws, '\u212Aeep', 'state.db'), env())).toEqual([path.join(ws, 'Keep', 'state.db')]);
    expect(resolveLikeTheOs(NFD('\u00e9criture.json'), env())).toEqual([path.join(ws, 'policy.json')]);
    expect(resolveLikeTheOs(NFD('allowed/l\u00efnk/secret'), env())).toEqual([path.join(dir, 'outside', 'secret')]);
  });

  it('keeps a name that matches no entry as written', () => {
    expect(resolveLikeTheOs(NFD(path.join(ws, 'd\u00e9j\u00e0-vu')), env())).toEqual([path.join(ws, NFD('d\u00e9j\u00e0-vu'))]);
  });

  it('does not let a decomposed link name leave an x-path-within root', () => {
    const root = path.join(ws, 'allowed');
    expect(isPathWithin(NFD(path.join(root, 'l\u00efnk', 'secret')), [root], env())).toBe(false);
    expect(isPathWithin(path.join(root, 'l\u00efnk', 'secret'), [root], env())).toBe(false);
    expect(isPathWithin(NFD(path.join(root, 'n\u00f6tes.md')), [root], env())).toBe(true);
    // The other way: the directory is decomposed on disk, the path composed.
    expect(isPathWithin(path.join(root, 'd\u00e9cor', 'out', 'secret'), [root], env())).toBe(false);
    expect(isPathWithin(path.join(root, 'd\u00e9cor', 'inside.txt'), [root], env())).toBe(true);
  });
});

describe('self-protection in another normalization', () => {
  const locations = (): ProtectedLocation[] => [
    { path: path.join(ws, 'policy.json'), what: 'the policy file', caseInsensitive: false },
    { path: path.join(ws, 'Keep'), what: 'the state directory', caseInsensitive: false },
  ];
  const refused = (value: string, env: PathEnv = hostFileSystem({ home: dir, cwd: ws })) => protectToolArguments({ value }, locations(), env) !== undefined;

  it.each([
    ['the policy, its directory decomposed', NFD(path.join(ws, 'policy.json'))],
    ['the policy inside a longer string, decomposed', `cp x ${NFD(path.join(ws, 'policy.json'))}`],
    ['a link to the policy, its name decomposed', NFD('\u00e9criture.json')],
    ['the state dir with a Kelvin sign', path.join(ws, '\u212Aeep', 'state.db')],
    ['the state dir with a Kelvin sign, as a tail from anywhere', '\u212Aeep/state.db'],
    ['the policy from above, decomposed', NFD('../caf\u00e9/policy.json')],
  ])('refuses %s', (_how, value) => {
    expect(refused(value)).toBe(true);
  });

  it('refuses a decomposed spelling the file system itself finds (macOS), where only the comparison can tell', () => {
    // A file system that ignores normalization: every name exists as written, and none is a link.
    const insensitive: PathEnv = { home: dir, cwd: ws, isSymlink: () => false, readlink: () => '' };
    expect(refused(NFD(path.join(ws, 'policy.json')), insensitive)).toBe(true);
    expect(refused(NFD(path.join(ws, 'Keep', 'x')), insensitive)).toBe(true);
  });

  it('lets other names with accents through', () => {
    for (const value of [NFD(path.join(ws, 'notes.md')), NFD('d\u00e9j\u00e0 vu'), 'caf\u00e9 au lait', path.join(ws, 'Kept')]) expect(refused(value), value).toBe(false);
  });

  it('refuses every normalization of a path inside a protected location that another refuses', () => {
    const letters = fc.constantFrom('a', 'e', '\u00e9', 'e\u0301', 'K', '\u212A', '\u00f1', 'n\u0303', '\u00c5', '\u212B', '-');
    fc.assert(
      fc.property(fc.array(letters, { minLength: 1, maxLength: 8 }), (chars) => {
        const name = chars.join('');
        const inside = path.join(ws, 'Keep', name);
        const spellings = [inside, inside.normalize('NFC'), inside.normalize('NFD'), path.join(ws, '\u212Aeep', name)];
        return spellings.every((spelling) => refused(spelling));
      }),
      { numRuns: 300 },
    );
  });
});
