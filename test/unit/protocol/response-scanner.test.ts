import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ResponseScanner } from '../../../src/protocol/response-scanner.js';

function scan(text: string, cuts: number[] = []) {
  const bytes = Buffer.from(text);
  const s = new ResponseScanner();
  let prev = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1))].sort((a, b) => a - b)) {
    s.push(bytes.subarray(prev, cut));
    prev = cut;
  }
  s.push(bytes.subarray(prev));
  return s.summary();
}

describe('ResponseScanner', () => {
  it('reads keys, a trailing id and result.isError from an SDK-style response', () => {
    const text = JSON.stringify({ result: { content: [{ type: 'text', text: 'a "quoted" \\ text } ] {' }], isError: true }, jsonrpc: '2.0', id: 'req-7' });
    expect(scan(text)).toEqual({ keys: ['result', 'jsonrpc', 'id'], idText: '"req-7"', isError: true, wellFormed: true, malformed: false });
  });
  it('ignores isError anywhere but directly inside result', () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 3, result: { content: [{ isError: true }], meta: { isError: true } } });
    expect(scan(text)).toMatchObject({ idText: '3', isError: false, wellFormed: true });
  });
  it('gives the same answer wherever the chunks are cut', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.oneof(fc.string(), fc.integer()), fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (payload, id, isError, cuts) => {
        const text = JSON.stringify({ result: { data: payload, isError }, jsonrpc: '2.0', id });
        const whole = scan(text);
        expect(whole).toEqual({ keys: ['result', 'jsonrpc', 'id'], idText: JSON.stringify(id), isError, wellFormed: true, malformed: false });
        expect(scan(text, cuts)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
  it('reports text that is not one well-formed object', () => {
    expect(scan('{"result":{"a":1}').wellFormed).toBe(false);
    expect(scan('{"result":{"a":1}}}').wellFormed).toBe(false);
    expect(scan('{"result":[1}]}').wellFormed).toBe(false);
    expect(scan('info: {"result":1}').malformed).toBe(true);
    expect(scan('{"result":"unterminated}').wellFormed).toBe(false);
  });
});
