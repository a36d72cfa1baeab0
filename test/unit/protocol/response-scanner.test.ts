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
  it('reads the keys and a trailing id from an SDK-style response', () => {
    const text = JSON.stringify({ result: { content: [{ type: 'text', text: 'a "quoted" \\ text } ] {' }], isError: true }, jsonrpc: '2.0', id: 'req-7' });
    expect(scan(text)).toEqual({ keys: ['result', 'jsonrpc', 'id'], idText: '"req-7"', wellFormed: true, malformed: false, violation: undefined });
  });
  it('reads only the top-level id', () => {
    const text = JSON.stringify({ jsonrpc: '2.0', result: { id: 9, content: [{ id: 8 }] }, id: 3 });
    expect(scan(text)).toMatchObject({ idText: '3', wellFormed: true });
  });
  it('gives the same answer wherever the chunks are cut', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.oneof(fc.string(), fc.integer()), fc.array(fc.nat(), { maxLength: 12 }), (payload, id, cuts) => {
        const text = JSON.stringify({ result: { data: payload }, jsonrpc: '2.0', id });
        const whole = scan(text);
        expect(whole).toMatchObject({ keys: ['result', 'jsonrpc', 'id'], idText: JSON.stringify(id), wellFormed: true, malformed: false });
        // Random objects may hold letter-case variants of a key ("a" and "A"): those are found.
        if (whole.violation) expect(whole.violation.kind).toBe('duplicate-key');
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
    // A second value after the first: one message to one reader, two to another.
    expect(scan('{"jsonrpc":"2.0","id":1,"result":{}} {"jsonrpc":"2.0","method":"x"}')).toMatchObject({ malformed: true, wellFormed: false });
  });
  it.each([
    ['a duplicate key at any depth', '{"jsonrpc":"2.0","id":1,"result":{"isError":false,"isError":true}}', { kind: 'duplicate-key', key: 'isError' }],
    ['a letter-case variant key', '{"jsonrpc":"2.0","id":1,"result":{"tools":[],"Tools":[]}}', { kind: 'duplicate-key', key: 'Tools' }],
    ['an escaped spelling of the same key', '{"jsonrpc":"2.0","id":1,"result":{"a":1,"\\u0061":2}}', { kind: 'duplicate-key', key: 'a' }],
    ['a control character in a member name', '{"jsonrpc":"2.0","id":1,"result":{"name\\u0000x":1}}', { kind: 'control-character', key: 'name\u0000x' }],
    ['nesting past the limit', `{"jsonrpc":"2.0","id":1,"result":${'['.repeat(1001)}${']'.repeat(1001)}}`, { kind: 'too-deep', limit: 1000 }],
  ])('finds %s', (_name, text, violation) => {
    expect(scan(text).violation).toEqual(violation);
    // Wherever the chunks are cut.
    expect(scan(text, [7, 23, 31, 40]).violation).toEqual(violation);
  });
  it('finds bytes that are not UTF-8, also when a character is cut between chunks', () => {
    const good = Buffer.from('{"jsonrpc":"2.0","id":1,"result":{"t":"h\u00e9 \u00e9t\u00e9 \u{1F600}"}}'.replace(/\\u\{?([0-9A-Fa-f]+)\}?/g, (_m, h) => String.fromCodePoint(parseInt(h, 16))));
    for (let cut = 0; cut <= good.length; cut++) {
      const s = new ResponseScanner();
      s.push(good.subarray(0, cut));
      s.push(good.subarray(cut));
      expect(s.summary().violation, `cut at ${cut}`).toBeUndefined();
    }
    const bad = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","method":"sampling/createMessage'), Buffer.from([0xc0]), Buffer.from('"}')]);
    const s = new ResponseScanner();
    s.push(bad);
    expect(s.summary().violation).toEqual({ kind: 'invalid-utf8' });
    // A character the line never finishes.
    const truncated = new ResponseScanner();
    truncated.push(Buffer.from([...Buffer.from('{"jsonrpc":"2.0","id":1,"result":"'), 0xe2, 0x82]));
    truncated.push(Buffer.from('"}'));
    expect(truncated.summary().violation).toEqual({ kind: 'invalid-utf8' });
  });
});
