import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { scanTomlEntries, tomlString } from '../../../src/clients/toml-spans.js';

const valueText = (text: string, key: string[]) => {
  const entry = scanTomlEntries(text).find((e) => JSON.stringify(e.path) === JSON.stringify(key));
  return entry && text.slice(entry.value.offset, entry.value.offset + entry.value.length);
};

describe('scanTomlEntries', () => {
  const text = [
    '\uFEFF# comment with [brackets] and "quotes"',
    'title = "a # not a comment"',
    "when = 1979-05-27 07:32:00Z",
    '[mcp_servers."my server"] # trailing',
    "command = '''multi",
    "line 'literal' ]'''",
    'args = [ # open',
    '  """x""""", # five quotes end it',
    "  'y',",
    '  [1, [2]],',
    ']',
    'env = { A = "1", B = { C = "2" } }',
    '[[plugins]]',
    'command = "p0"',
    '[[plugins]]',
    'command = "p1"',
    '[mcp_servers]',
    'dotted . command = "d"',
    '',
  ].join('\r\n');

  it('finds each value, whatever the strings, comments and nesting around it', () => {
    expect(() => parse(text.slice(1))).not.toThrow();
    expect(valueText(text, ['title'])).toBe('"a # not a comment"');
    expect(valueText(text, ['when'])).toBe('1979-05-27 07:32:00Z');
    expect(valueText(text, ['mcp_servers', 'my server', 'command'])).toBe("'''multi\r\nline 'literal' ]'''");
    expect(valueText(text, ['mcp_servers', 'my server', 'args'])).toMatch(/^\[ # open[\s\S]*\]$/);
    expect(valueText(text, ['mcp_servers', 'my server', 'env', 'B', 'C'])).toBe('"2"');
    expect(valueText(text, ['plugins', '[1]', 'command'])).toBe('"p1"');
    expect(valueText(text, ['plugins', 'command'])).toBeUndefined();
    expect(valueText(text, ['mcp_servers', 'dotted', 'command'])).toBe('"d"');
  });

  it('gives array elements their own spans, and where a line ends', () => {
    const entries = scanTomlEntries(text);
    const args = entries.find((e) => e.path.join('.') === 'mcp_servers.my server.args')!;
    expect(args.value.elements!.map((e) => text.slice(e.offset, e.offset + e.length))).toEqual(['"""x"""""', "'y'", '[1, [2]]']);
    const header = entries.find((e) => e.path.join('.') === 'title')!;
    expect(text.slice(header.lineEnd, header.lineEnd + 2)).toBe('\r\n');
  });

  it('writes strings TOML reads back, DEL and control characters included', () => {
    for (const value of ['C:\\Program Files\\x', 'quote " and \u007f and \u0001 and \n', 'é 😀']) {
      expect(parse(`v = ${tomlString(value)}`).v).toBe(value);
    }
  });
});
