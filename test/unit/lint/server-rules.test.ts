import { describe, expect, it } from 'vitest';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { SERVER_RULES } from '../../../src/lint/server-rules.js';

const tool = (name: string, properties?: Record<string, unknown>, destructive = false): Tool => ({
  name,
  inputSchema: properties ? { type: 'object', properties } : { type: 'object' },
  ...(destructive ? { annotations: { destructiveHint: true } } : {}),
});
const TOOLS: Tool[] = [
  tool('read_file', { path: {} }),
  tool('write_file', { path: {}, content: {} }),
  tool('delete_file', { path: {} }, true),
  tool('python_venv', { action: {}, venvPath: {}, clear: {} }),
  tool('opaque'),
];

function check(id: string, doc: Record<string, unknown>) {
  const rule = SERVER_RULES.find((r) => r.meta.id === id)!;
  return rule.check({ doc: { version: '1', ...doc }, tools: TOOLS }).map((p) => ({ path: p.path.join('/'), suggestion: p.suggestion, message: p.message }));
}

describe('unknown-tool', () => {
  it('names entries and hide names that match no tool, with the nearest real name', () => {
    const found = check('unknown-tool', { tools: { pyhton_venv: 'allow', read_file: 'allow', 'read_*': 'allow', $comment: 'x' }, hide: ['Delete_File', 'write_file'] });
    expect(found).toEqual([
      { path: 'tools/pyhton_venv', suggestion: 'python_venv', message: 'tools.pyhton_venv: the server has no tool "pyhton_venv"; did you mean "python_venv"?' },
      { path: 'hide/0', suggestion: 'delete_file', message: 'hide[0]: the server has no tool "Delete_File"; did you mean "delete_file"?' },
    ]);
  });
});

describe('unmatched-glob', () => {
  it('names globs that match no tool', () => {
    expect(check('unmatched-glob', { tools: { 'git_*': 'allow', 'read_*': 'allow' }, hide: ['admin_*'] }).map((p) => p.path)).toEqual(['tools/git_*', 'hide/0']);
  });
});

describe('unknown-argument', () => {
  it('names the argument a PolicyLayer condition reads when the tool does not have it', () => {
    const found = check('unknown-argument', {
      tools: {
        read_file: { require: [{ conditions: [{ path: 'args.pth', op: 'exists', value: true }, { path: 'args.path', op: 'regex', value: '^/tmp/' }] }] },
        write_file: { deny_if: [{ conditions: [{ path: 'args.content.size', op: 'gt', value: 1 }, { path: 'args.mode', op: 'eq', value: 'w' }] }] },
      },
    });
    expect(found.map((p) => [p.path, p.suggestion])).toEqual([
      ['tools/read_file/require/0/conditions/0/path', 'path'],
      ['tools/write_file/deny_if/0/conditions/1/path', undefined],
    ]);
  });

  it('names args/when properties the tool does not have, at every level of the combinators', () => {
    const found = check('unknown-argument', {
      tools: {
        python_venv: {
          args: { properties: { venv_path: { 'x-path-within': ['~/p'] }, venvPath: {} }, required: ['venvPath'] },
          rules: [{ when: { anyOf: [{ properties: { action: { const: 'delete' } }, required: ['action'] }, { required: ['clean'] }] }, action: 'ask' }],
        },
        opaque: { args: { properties: { anything: {} } } },
        '*_file': { args: { required: ['path', 'content'] } },
      },
    });
    expect(found.map((p) => [p.path, p.suggestion])).toEqual([
      ['tools/python_venv/args/properties/venv_path', 'venvPath'],
      ['tools/python_venv/rules/0/when/anyOf/1/required/0', 'clear'],
    ]);
  });

  it('checks a glob entry against the tools it matches: only what none of them has', () => {
    const found = check('unknown-argument', { tools: { '*_file': { args: { required: ['pth'] } } } });
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe('tools.*_file.args.required[0]: none of the 3 tools "*_file" matches has an argument "pth"; did you mean "path"?');
  });
});

describe('unguarded-destructive-tool', () => {
  it.each([
    [{ default: 'allow' }, ['default']],
    [{ default: 'allow', all_tools: { limits: [{ window: 'minute', max: 5 }] } }, []],
    [{ default: 'deny' }, []],
    [{ default: 'ask' }, []],
    [{ default: 'allow', hide: ['delete_*'] }, []],
    [{ tools: { delete_file: 'allow' } }, ['tools/delete_file']],
    [{ tools: { '*': 'allow', delete_file: 'deny' } }, []],
    [{ tools: { '*_file': 'allow' } }, ['tools/*_file']],
    [{ tools: { delete_file: { reason: 'x' } } }, ['tools/delete_file']],
    [{ tools: { delete_file: { rate_limit: '1/minute' } } }, []],
    [{ tools: { delete_file: { limits: [{ window: 'minute', max: 1 }] } } }, []],
    [{ tools: { delete_file: { rules: [{ when: { required: ['recursive'] }, action: 'ask' }] } } }, []],
    [{ tools: { delete_file: 'ask' } }, []],
  ])('%j → %j', (doc, paths) => {
    expect(check('unguarded-destructive-tool', doc).map((p) => p.path)).toEqual(paths);
  });
});
