/**
 * findAmbiguityIn skips the text scan when the parsed value proves there is nothing to find. It
 * must give the scan's answer on every text, so it is compared with findAmbiguity on texts built
 * to sit near each boundary it relies on: repeated members (exactly, or in another letter case),
 * `\":` inside strings, white space (and CR) between a name and its colon, control characters and
 * non-ASCII letters in names, integer-like names (which JSON.parse reorders), and deep nesting.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAmbiguity, findAmbiguityIn, MAX_NESTING } from '../../../src/protocol/duplicate-keys.js';
import { arr, type JsonNode, lit, obj, serialize, str } from '../../fuzz/json-tree.js';

const nameArb = fc.oneof(
  fc.constantFrom('a', 'b', 'A', 'id', 'Id', 'path', 'Path', '0', '1', '10', '', '__proto__', 'ſ', 'é', 'a\\', 'x\u007f', 'x\u0000y', 'a":1', 'k:'),
  fc.string({ unit: fc.constantFrom('a', 'B', ':', '"', '\\', ' ', '\r', 'ı'), maxLength: 4 }),
);
const valueText = fc.string({ unit: fc.constantFrom('a', ':', '"', '\\', '":', '\\":', ' ', '\r', '\n'), maxLength: 6 });

const nodeArb: fc.Arbitrary<JsonNode> = fc.letrec<{ node: JsonNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(lit('1'), lit('null'), lit('true'), lit('-0.5e3')),
    fc.tuple(valueText, fc.constantFrom('json' as const, 'unicode' as const)).map(([v, e]) => str(v, e)),
    fc.array(tie('node'), { maxLength: 4 }).map(arr),
    fc
      .array(fc.tuple(fc.tuple(nameArb, fc.constantFrom('json' as const, 'unicode' as const)), tie('node')), { maxLength: 5 })
      .map((entries) => obj(entries.map(([[name, escape], value]) => [{ name, escape }, value]))),
  ),
})).node;

const wsArb = fc.array(fc.constantFrom('', '', '', ' ', '\t', '\r', '\n', ' \r '), { minLength: 1, maxLength: 4 });

function both(text: string, allowCR: boolean): void {
  const value: unknown = JSON.parse(text);
  expect(findAmbiguityIn(text, value, allowCR)).toEqual(findAmbiguity(text, allowCR));
}

describe('findAmbiguityIn', () => {
  it('answers as the scan does, on any JSON text', () => {
    fc.assert(
      fc.property(nodeArb, wsArb, fc.boolean(), (node, ws, allowCR) => both(serialize(node, ws), allowCR)),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['an exact repeat', '{"a":1,"a":2}'],
    ['a repeat whose colon follows white space', '{"a":1,"a" :2}'],
    ['a repeat hidden by a \\": in a string', '{"a":"x\\":","a":2}'],
    ['a repeat in another letter case', '{"a":1,"A":2}'],
    ['a case variant spelt with an escape', '{"Name":"x","\\u004eame":"y"}'],
    ['a control character in a lone name', '{"x\\u0000y":1}'],
    ['a DEL in a lone name', '{"x\u007f":1}'],
    ['a bare CR', '{"a":1,\r"b":2}'],
    ['integer-like names', '{"1":{"A":1,"a":2},"b":{"B":1,"b":2}}'],
    ['a clean request', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"Time: 12:00"}}}'],
  ])('%s', (_, text) => {
    both(text, false);
    both(text, true);
  });

  it('leaves nesting past the limit to the scan', () => {
    const deep = `${'['.repeat(MAX_NESTING + 1)}${']'.repeat(MAX_NESTING + 1)}`;
    expect(findAmbiguityIn(deep, JSON.parse(deep))).toEqual({ kind: 'too-deep', limit: MAX_NESTING });
    const atLimit = `${'['.repeat(MAX_NESTING)}${']'.repeat(MAX_NESTING)}`;
    expect(findAmbiguityIn(atLimit, JSON.parse(atLimit))).toBeUndefined();
  });

  it('does not count on for-in once something has made a property of Object.prototype enumerable', () => {
    const text = '{"a":1,"a":2}';
    Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(findAmbiguityIn(text, JSON.parse(text))).toEqual({ kind: 'duplicate-key', key: 'a' });
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });

  it('scans a long text, and finds in it what the scan finds', () => {
    const long = 'x'.repeat(70 * 1024);
    for (const text of [`{"a":"${long}","a":1}`, `{"a":"${long}","b":1}`, `{"a":"${long}","A":1}`]) both(text, false);
  });

  it('has nothing to find in a scalar', () => {
    expect(findAmbiguityIn('"a\\":"', 'a":')).toBeUndefined();
    expect(findAmbiguityIn('12', 12)).toBeUndefined();
    expect(findAmbiguityIn('12\r', 12)).toEqual({ kind: 'carriage-return' });
    expect(findAmbiguityIn('12\r', 12, true)).toBeUndefined();
  });
});
