/**
 * Regressions for what the bypass fuzzer found: messages that mean one thing to mcp-guard and
 * another to a server's parser, and messages that broke the guard itself.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTROL_CHARACTER, findAmbiguity, findDuplicateKey, foldMemberName, MAX_NESTING } from '../../src/protocol/duplicate-keys.js';
import { classify } from '../../src/protocol/message.js';
import { compileGlob } from '../../src/policy/engine/glob.js';
import { INIT, spawnGuard, workspace } from '../e2e/support/guard.js';

describe('members a case-insensitive parser reads as one (Go encoding/json)', () => {
  it.each([
    ['{"path":"/public/a","Path":"/etc/passwd"}', 'Path'],
    ['{"method":"tools/list","METHOD":"tools/call"}', 'METHOD'],
    ['{"params":{},"paramſ":{}}', 'paramſ'],
    ['{"kind":1,"\u212aind":2}', '\u212aind'],
    ['{"a":{"\\ud800":1,"\\ud801":2}}', '\ud801'],
    ['{"Name":"x","\\u004eame":"y"}', 'Name'],
    // Go folds the dotless ı with I, and so with i.
    ['{"id":1,"ıd":2}', 'ıd'],
  ])('%s has the duplicate %s', (text, key) => {
    expect(findDuplicateKey(text)).toBe(key);
    expect(findAmbiguity(text)).toEqual({ kind: 'duplicate-key', key });
  });

  it('are not confused with different names', () => {
    expect(findDuplicateKey('{"a":1,"á":2,"a1":3,"b":{"A":1},"c":[{"C":1}]}')).toBeUndefined();
  });

  it('a response carrying "Method" is not relayed as a response', () => {
    expect(classify({ jsonrpc: '2.0', id: 4, result: {}, Method: 'sampling/createMessage' })).toMatchObject({ kind: 'invalid', id: 4 });
    expect(classify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', Arguments: { text: 'x' } } })).toMatchObject({ kind: 'invalid', id: 4 });
    expect(classify({ jsonrpc: '2.0', id: 4, method: 'resources/read', params: { URI: 'file:///secrets' } })).toMatchObject({ kind: 'invalid' });
    // Params of methods mcp-guard does not judge by their params are the server's business.
    expect(classify({ jsonrpc: '2.0', id: 4, method: 'x/custom', params: { Name: 'a' } })).toMatchObject({ kind: 'request' });
    expect(classify({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'echo', arguments: { Text: 'x' } } })).toMatchObject({ kind: 'request' });
  });
});

describe('objects with many members', () => {
  it('are checked in linear time (100,000 members took 17 s when each name was compared with every other)', () => {
    const members = Array.from({ length: 200_000 }, (_, i) => `"k${i}":0`);
    const text = `{${members.join(',')}}`;
    const start = performance.now();
    expect(findAmbiguity(text)).toBeUndefined();
    expect(findAmbiguity(`{${members.join(',')},"K7":1}`)).toEqual({ kind: 'duplicate-key', key: 'K7' });
    expect(performance.now() - start).toBeLessThan(2000);
  });
});

describe('strings with escapes', () => {
  // Names and values full of quotes and backslashes, so that a scan ending a string one
  // character early or late (the scan skips strings with indexOf) reads the wrong members.
  const tricky = fc.string({ unit: fc.constantFrom('a', 'A', '"', '\\', '/', '\u0000', 'é', 'ſ', ' '), maxLength: 6 });

  it('finds the first repeated or control-character name, wherever the escapes fall', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(tricky, tricky), { maxLength: 8 }), tricky, (members, outer) => {
        const inner = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
        const text = `{"before":${JSON.stringify(outer)},"inner":${inner},"after":[${JSON.stringify(outer)}]}`;
        let expected: ReturnType<typeof findAmbiguity>;
        const seen = new Set<string>();
        for (const [key] of members) {
          if (CONTROL_CHARACTER.test(key)) {
            expected = { kind: 'control-character', key };
            break;
          }
          if (seen.has(foldMemberName(key))) {
            expected = { kind: 'duplicate-key', key };
            break;
          }
          seen.add(foldMemberName(key));
        }
        expect(findAmbiguity(text)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('a bare CR', () => {
  it('is refused outside strings, where Python text streams and readline end a line', () => {
    expect(findAmbiguity('{"a":\r{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"shell_exec"}}\r}')).toEqual({ kind: 'carriage-return' });
    expect(findAmbiguity('{"a":"\\r\\n"}')).toBeUndefined();
    // The duplicate-key check alone does not look at whitespace.
    expect(findDuplicateKey('{"a":\r1}')).toBeUndefined();
  });
});

describe('nesting', () => {
  const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  it(`is refused past ${MAX_NESTING} levels`, () => {
    expect(findAmbiguity(nested(MAX_NESTING))).toBeUndefined();
    expect(findAmbiguity(nested(MAX_NESTING + 1))).toEqual({ kind: 'too-deep', limit: MAX_NESTING });
  });

  it('that is very deep no longer crashes mcp-guard (JSON.stringify in the audit writer overflowed the stack)', async () => {
    // pin: "off": the ids the server received are counted; pinning's own tools/list is tested in pins.test.ts.
    const ws = workspace({ version: '1', default: 'allow', pin: 'off', audit: { arguments: true } });
    const g = spawnGuard(ws);
    try {
      g.send(INIT);
      await g.response(0);
      const depth = 100_000;
      g.send(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}}`);
      expect(await g.response(1)).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/nested more than 1000 levels/) } });
      g.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'still here' } } });
      expect(await g.response(2)).toMatchObject({ result: { content: [{ text: '{"text":"still here"}' }] } });
      expect(ws.recorded().map((m) => m.id)).toEqual([0, 2]);
    } finally {
      expect(await g.close()).toEqual({ code: 0, signal: null });
    }
    expect(g.stderr).not.toMatch(/RangeError|\n\s+at /);
  });
});

describe('policy globs', () => {
  it('match names and URIs with line breaks in them (a deny glob used to miss them)', () => {
    expect(compileGlob('file:///secrets/**', 'uri').test('file:///secrets/\n/../key.pem')).toBe(true);
    expect(compileGlob('file:///secrets/**', 'uri').test('file:///secrets/\u2028/../key.pem')).toBe(true);
    expect(compileGlob('admin_*', 'name').test('admin_\nreset')).toBe(true);
    expect(compileGlob('admin_?', 'name').test('admin_\r')).toBe(true);
  });
});

