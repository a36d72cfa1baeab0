import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../../src/policy/engine/glob.js';
import { asUrlParsersRead, filePathsOf, normaliseFileGlob, normaliseUri, uriReadings } from '../../../../src/policy/engine/uri.js';

/** Path segments with the characters that spellings disagree on: spaces, `%`, non-ASCII, quotes. */
const segment = fc.stringMatching(/^[a-zA-Z0-9 %"é€._~-]{1,8}$/).filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`);

/** Every character percent-encoded as UTF-8, `/` too when asked. */
const escapeAll = (p: string, slashes: boolean) =>
  Array.from(new TextEncoder().encode(p))
    .map((b) => (b === 0x2f && !slashes ? '/' : `%${b.toString(16).padStart(2, '0')}`))
    .join('');

describe('file: URIs', () => {
  it('every spelling of a path normalises to one URI, whose decoded path is the path', () => {
    fc.assert(
      fc.property(path, (p) => {
        const escaped = escapeAll(p, false);
        const spellings = [
          `file://${escaped}`,
          `FILE://LOCALHOST${escaped}`,
          `file:${escaped}`,
          `file://server${escaped}`,
          `file:${escaped.replaceAll('/', '\\')}`,
          `file://${escapeAll(p, true).replace(/^%2f/, '/')}`,
          ` file://${escaped}#fragment `,
          `file://${escaped.slice(0, escaped.lastIndexOf('/'))}/x/..${escaped.slice(escaped.lastIndexOf('/'))}`,
        ];
        // Written raw, `%` would start an escape, and a space at the end would be stripped as URL parsers do.
        if (!p.includes('%') && !p.endsWith(' ')) spellings.push(`file://${p}`, `file:${p.replaceAll('/', '\\')}`);
        const normal = normaliseUri(spellings[0]!);
        for (const s of spellings) expect(normaliseUri(s), s).toBe(normal);
        expect(filePathsOf(spellings[0]!)).toContain(p);
      }),
    );
  });

  it('a glob written with raw characters or escapes matches every spelling of the URIs under it', () => {
    fc.assert(
      fc.property(path, segment, (dir, file) => {
        const target = `${dir}/${file}`;
        const raw = !target.includes('%') && !target.endsWith(' ');
        const globs = [`file://${escapeAll(dir, false)}/**`, `file://localhost${escapeAll(dir, false)}/*`, ...(raw ? [`file://${dir}/**`] : [])];
        const uris = [`file://${escapeAll(target, false)}`, ...(raw ? [`file://${target}`, `file:${target.replaceAll('/', '\\')}`] : [])];
        for (const glob of globs) {
          const matcher = compileGlob(normaliseFileGlob(glob), 'uri');
          for (const uri of uris) expect(matcher.test(normaliseUri(uri)), `${glob} against ${uri}`).toBe(true);
        }
      }),
    );
  });

  it('an escaped glob character in a glob is literal, a raw one is syntax', () => {
    expect(compileGlob(normaliseFileGlob('file:///a%2A/b'), 'uri').test(normaliseUri('file:///a*/b'))).toBe(true);
    expect(compileGlob(normaliseFileGlob('file:///a%2A/b'), 'uri').test(normaliseUri('file:///ab/b'))).toBe(false);
    expect(compileGlob(normaliseFileGlob('file:///a*/b'), 'uri').test(normaliseUri('file:///ab/b'))).toBe(true);
  });

  it('keeps an escape that is not UTF-8, and tells a literal % from an escape', () => {
    expect(normaliseUri('file:///a%c3x')).toBe('file:///a%C3x');
    expect(normaliseUri('file:///a%25c3x')).toBe('file:///a%25c3x');
    expect(filePathsOf('file:///a%25c3x')).toEqual(['/a%c3x']);
  });

  it('reads .. both as written and after the escapes that hide it are decoded', () => {
    expect(filePathsOf('file:///pub/..%2Fsecret')).toEqual(['/pub/../secret', '/secret']);
    expect(normaliseUri('file:///pub/..%2Fsecret')).toBe('file:///secret');
  });

  it('reads a file: URI as URL parsers read it too: tabs and newlines dropped, controls at the ends stripped, .. before //', () => {
    expect(normaliseUri('fi\tle:///a/b')).toBe('file:///a/b');
    expect(normaliseUri('\u0001file:///a/b\n')).toBe('file:///a/b');
    expect(uriReadings('file:///secrets//../key.pem')).toEqual(['file:///key.pem', 'file:///secrets/key.pem']);
    expect(uriReadings('file:///a/../b')).toEqual(['file:///b']);
    expect(filePathsOf('file:///secrets//../key.pem')).toEqual(['/secrets/../key.pem', '/key.pem', '/secrets/key.pem']);
  });

  it('strips what URL parsers strip exactly as the regular expression it replaced did, in time linear in the text (property)', () => {
    const reference = (text: string) => text.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').trim();
    const unit = fc.constantFrom('\u0000', '\u0001', '\u001f', ' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff', '\u007f', 'a', ':', '/', 'file:');
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 24 }), (parts) => {
        expect(asUrlParsersRead(parts.join(''))).toBe(reference(parts.join('')));
      }),
      { numRuns: 3000 },
    );
    // The old expression took seconds on this (every start in the run of spaces scanned to its end).
    expect(asUrlParsersRead(`a:${' '.repeat(1_000_000)}b`)).toBe(`a:${' '.repeat(1_000_000)}b`);
  });

  it('leaves other schemes as RFC 3986 normalises them', () => {
    expect(normaliseUri(' HTTPS://Example.COM/a/./b/../c?Q=%7e#frag ')).toBe('https://example.com/a/c?Q=~');
    expect(normaliseUri('demo://resource/static/..%2Fdynamic/1')).toBe('demo://resource/static/..%2Fdynamic/1');
    expect(normaliseFileGlob('demo://x/%41/**')).toBe('demo://x/%41/**');
  });
});
