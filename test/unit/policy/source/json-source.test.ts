import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonSyntaxError, parseJson } from '../../../../src/policy/source/json-source.js';
import { parseJsonSource } from '../../../../src/policy/source/source.js';

function accepts(text: string): boolean {
  try {
    parseJson(text);
    return true;
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return false;
  }
}

function jsonParseAccepts(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

describe('parseJson agrees with JSON.parse', () => {
  it('on any JSON value, however it is spaced', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2, '\t'), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(parseJson(text).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('on what it accepts and rejects, for mutated JSON text', () => {
    const mutation = fc.tuple(fc.nat(), fc.constantFrom('', ',', '}', ']', '"', "'", '/', '-', '0', '.', 'e', ' ', '\n', '\\', 'u', 'x', '\u0001', 'NaN', 'true'));
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean(), (value, edits, remove) => {
        let text = JSON.stringify(value);
        for (const [at, insert] of edits) {
          const i = text.length === 0 ? 0 : at % (text.length + 1);
          text = text.slice(0, i) + insert + text.slice(remove ? i + 1 : i);
        }
        // Duplicate keys are the one deliberate difference: they parse, and are reported.
        const ours = accepts(text);
        expect(ours).toBe(jsonParseAccepts(text));
        if (ours) expect(parseJson(text).value).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['1', 1],
    ['-0.5e+3', -500],
    ['"\\u00e9\\ud83d\\ude00\\n"', 'é😀\n'],
    ['{"__proto__": {"x": 1}}', JSON.parse('{"__proto__": {"x": 1}}')],
    [' [ ] ', []],
  ])('%s', (text, value) => {
    expect(parseJson(text).value).toEqual(value);
  });

  it('keeps a "__proto__" key as data', () => {
    const { value } = parseJson('{"__proto__": {"polluted": true}}') as { value: Record<string, unknown> };
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('syntax errors say what and where', () => {
  it.each([
    ['', 1, 1, /empty/],
    ['{"a": 1,}', 1, 8, /trailing comma/],
    ['[1, 2,]', 1, 6, /trailing comma/],
    ['{"a": 1 // x\n}', 1, 9, /comments/],
    ["{'a': 1}", 1, 2, /double quotes/],
    ['{a: 1}', 1, 2, /double quotes/],
    ['{"a": \'x\'}', 1, 7, /double quotes/],
    ['{"a" 1}', 1, 6, /expected ":"/],
    ['{"a": 1 "b": 2}', 1, 9, /expected "," or "}"/],
    ['{"a": [1 2]}', 1, 10, /expected "," or "]"/],
    ['{"a": NaN}', 1, 7, /NaN is not JSON/],
    ['{"a": 01}', 1, 7, /leading zeros/],
    ['{"a": 1.}', 1, 7, /not a JSON number/],
    ['{"a": +1}', 1, 7, /not a JSON number/],
    ['{"a": "x\ny"}', 1, 9, /line break/],
    ['{"a": "\\x41"}', 1, 8, /invalid escape/],
    ['{"a": "x', 1, 7, /unterminated string/],
    ['{"a": 1', 1, 8, /end of file/],
    ['{"a": 1}}', 1, 9, /after the end/],
    ['{\n  "a": 1,\n  "b": tru\n}', 3, 8, /expected a value/],
  ])('%j → %i:%i', (text, line, column, message) => {
    const source = parseJsonSource(text, 'p.json');
    expect(source.value).toBeUndefined();
    expect(source.problems).toHaveLength(1);
    const [problem] = source.problems;
    expect(problem!.ruleId).toBe('syntax');
    expect(problem!.message).toMatch(message);
    expect([problem!.line, problem!.column]).toEqual([line, column]);
  });
});

describe('locate', () => {
  const text = '{\n  "version": "1",\r\n  "tools": {\n    "a": { "limits": [ { "window": "x" } ] }\n  }\n}';
  const source = parseJsonSource(text, 'p.json');

  it('points at keys of members, values on request, and items', () => {
    expect(source.locate(['version'])).toEqual({ line: 2, column: 3, endLine: 2, endColumn: 12 });
    expect(source.locate(['version'], 'value')).toEqual({ line: 2, column: 14, endLine: 2, endColumn: 17 });
    expect(source.locate(['tools', 'a', 'limits', 0, 'window'], 'value')).toEqual({ line: 4, column: 36, endLine: 4, endColumn: 39 });
    expect(source.locate(['tools', 'a', 'limits', 0])).toEqual({ line: 4, column: 24, endLine: 4, endColumn: 41 });
  });

  it('falls back to the deepest existing ancestor', () => {
    expect(source.locate(['tools', 'a', 'limits', 0, 'max'])).toEqual(source.locate(['tools', 'a', 'limits', 0]));
    expect(source.locate(['nothing'])).toEqual(source.locate([]));
  });

  it('counts columns after a byte-order mark as an editor does', () => {
    const bom = parseJsonSource('\uFEFF{"version": 1}', 'p.json');
    expect(bom.value).toEqual({ version: 1 });
    expect(bom.locate(['version'])).toMatchObject({ line: 1, column: 3 });
  });
});
