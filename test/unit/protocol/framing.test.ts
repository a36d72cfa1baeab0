import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LineSplitter } from '../../../src/protocol/framing.js';
import { findDuplicateKey, foldMemberName, topLevelElements } from '../../../src/protocol/duplicate-keys.js';
import { classify } from '../../../src/protocol/message.js';

function split(chunks: Buffer[], max = 1 << 20) {
  const lines: string[] = [];
  const oversize: number[] = [];
  const s = new LineSplitter(max, { line: (l) => lines.push(l.toString()), oversize: (n) => oversize.push(n) });
  for (const c of chunks) s.push(c);
  s.end();
  return { lines, oversize };
}

describe('LineSplitter', () => {
  it('yields the same lines wherever the byte stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', minLength: 1 }).map((s) => s.replace(/[\n\r]/g, 'x')).filter((s) => s.trim() !== ''), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (lines, cuts) => {
        const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let prev = 0;
        for (const p of points) {
          chunks.push(bytes.subarray(prev, p));
          prev = p;
        }
        chunks.push(bytes.subarray(prev));
        expect(split(chunks).lines).toEqual(lines);
      }),
    );
  });
  it('strips \\r, skips blank lines, and keeps a last line without a newline', () => {
    expect(split([Buffer.from('a\r\n\n  \nb\nc')]).lines).toEqual(['a', 'b', 'c']);
  });
  it('drops a line over the limit without buffering it, and carries on', () => {
    const r = split([Buffer.from('short\n'), Buffer.from('x'.repeat(50)), Buffer.from('y'.repeat(50)), Buffer.from('\nok\n')], 64);
    expect(r.lines).toEqual(['short', 'ok']);
    expect(r.oversize).toEqual([100]);
  });
});

/** Two member names of one object that a case-insensitive parser reads as one (a duplicate there). */
function caseCollision(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(caseCollision);
  if (v === null || typeof v !== 'object') return false;
  const keys = Object.keys(v);
  return new Set(keys.map(foldMemberName)).size !== keys.length || Object.values(v).some(caseCollision);
}

describe('findDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', 'a'],
    ['{"a":1,"\\u0061":2}', 'a'],
    ['{"x":{"b":1,"b":2}}', 'b'],
    ['[{"id":1},{"id":2,"id":3}]', 'id'],
    ['{"a":[{"a":1}],"b":{"a":2}}', undefined],
    ['{"a":"\\"a\\":","b":1}', undefined],
    ['{"A":1,"a":2}', 'a'],
  ])('%s → %s', (text, expected) => {
    expect(findDuplicateKey(text)).toBe(expected);
  });
  it('finds no duplicate in anything JSON.stringify produces', () => {
    fc.assert(
      fc.property(fc.jsonValue().filter((v) => !caseCollision(v)), (v) => {
        expect(findDuplicateKey(JSON.stringify(v))).toBeUndefined();
      }),
    );
  });
});

describe('topLevelElements', () => {
  it('returns the exact text of each element', () => {
    const text = ' [ {"a":"]"} , [1,2],3, {"b":{}} ] ';
    expect(topLevelElements(text).map(([s, e]) => text.slice(s, e))).toEqual(['{"a":"]"}', '[1,2]', '{"b":{}}']);
  });
});

describe('classify', () => {
  it.each([
    [{ jsonrpc: '2.0', id: 1, method: 'x' }, 'request'],
    [{ jsonrpc: '2.0', method: 'x' }, 'notification'],
    [{ jsonrpc: '2.0', id: 'a', result: {} }, 'response'],
    [{ jsonrpc: '2.0', id: null, error: { code: 1, message: 'm' } }, 'response'],
    [{ jsonrpc: '1.0', id: 1, method: 'x' }, 'invalid'],
    [{ jsonrpc: '2.0', id: null, method: 'x' }, 'invalid'],
    [{ jsonrpc: '2.0', id: {}, method: 'x' }, 'invalid'],
    [{ jsonrpc: '2.0', id: 1, method: 'x', result: 1 }, 'invalid'],
    [{ jsonrpc: '2.0', id: 1, result: 1, error: { code: 1, message: '' } }, 'invalid'],
    [{ jsonrpc: '2.0', id: 1, method: 'x', params: 'no' }, 'invalid'],
    ['x', 'invalid'],
  ])('%j is %s', (value, kind) => {
    expect(classify(value).kind).toBe(kind);
  });
});
