import { describe, expect, it } from 'vitest';
import { openPathArgs } from '../../../../src/policy/checks/open-path-args.js';
import { formatPath } from '../../../../src/policy/source/source-range.js';

/** A policy with one tool entry `t`. */
const policy = (rule: unknown) => ({ version: '1', default: 'deny', tools: { t: rule } });
const args = (schema: Record<string, unknown>) => policy({ args: { type: 'object', ...schema } });
const within = { type: 'string', 'x-path-within': ['~/projects'] };

/** [what, policy, the places that must be warned about (empty: none)] */
const CASES: Array<[string, unknown, string[]]> = [
  // Warned: a path, and arguments it does not name let through.
  ['a property with x-path-within', args({ properties: { venvPath: within } }), ['tools.t.args']],
  ['a property named path', args({ properties: { path: { type: 'string' } } }), ['tools.t.args']],
  ['a camelCase name ending in Path', args({ properties: { filePath: {} } }), ['tools.t.args']],
  ['a snake_case name with file', args({ properties: { file_name: { type: 'string' } } }), ['tools.t.args']],
  ['a kebab-case name with dir', args({ properties: { 'source-dir': { type: 'string' } } }), ['tools.t.args']],
  ['an uppercase run before a word: HTMLFile', args({ properties: { HTMLFile: { type: 'string' } } }), ['tools.t.args']],
  ['a uri', args({ properties: { uri: { type: 'string' } } }), ['tools.t.args']],
  ['a list of paths, x-path-within on its items', args({ properties: { targets: { type: 'array', items: within } } }), ['tools.t.args']],
  ['x-path-within in a branch of the value', args({ properties: { target: { anyOf: [within, { const: '-' }] } } }), ['tools.t.args']],
  ['additionalProperties that is a schema, not false', args({ properties: { path: within }, additionalProperties: { type: 'string' } }), ['tools.t.args']],
  ['unevaluatedProperties true', args({ properties: { path: within }, unevaluatedProperties: true }), ['tools.t.args']],
  ['a nested object that names a path', args({ properties: { options: { type: 'object', properties: { path: within } } }, additionalProperties: false }), ['tools.t.args.properties.options']],
  ['objects in a list that name a path', args({ properties: { files: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } } } }, additionalProperties: false }), ['tools.t.args.properties.files.items']],
  ['a path in a branch of an open object', args({ anyOf: [{ properties: { path: within } }, { properties: { uri: { type: 'string' } } }] }), ['tools.t.args.anyOf[0]', 'tools.t.args.anyOf[1]']],
  ['a tool that asks', policy({ action: 'ask', args: { properties: { path: within } } }), ['tools.t.args']],
  ['a glob entry', { version: '1', tools: { 'read_*': { args: { properties: { path: within } } } } }, ['tools.read_*.args']],
  ['both the arguments and a nested object', args({ properties: { dir: within, opts: { properties: { file: {} } } } }), ['tools.t.args', 'tools.t.args.properties.opts']],

  // Not warned.
  ['closed with additionalProperties: false', args({ properties: { path: within }, additionalProperties: false }), []],
  ['closed with unevaluatedProperties: false', args({ properties: { path: within }, unevaluatedProperties: false }), []],
  ['branches of an object closed by unevaluatedProperties: false', args({ anyOf: [{ properties: { path: within } }], unevaluatedProperties: false }), []],
  ['a dependent schema of a closed object', args({ properties: { dir: within }, dependentSchemas: { dir: { properties: { path: { pattern: '^/' } } } }, additionalProperties: false }), []],
  ['no path among the arguments', args({ properties: { message: { type: 'string' }, count: { type: 'number' } } }), []],
  ['words that only contain a path word', args({ properties: { profile: { type: 'string' }, pathology: { type: 'string' }, urlencoded: { type: 'string' } } }), []],
  ['a path-like name whose type cannot hold a path', args({ properties: { overwriteFile: { type: 'boolean' }, dirCount: { type: ['integer', 'null'] } } }), []],
  ['a denied tool', policy({ action: 'deny', args: { properties: { path: within } } }), []],
  ['a hidden tool', policy({ action: 'hide', args: { properties: { path: within } } }), []],
  ['a path in a "when" schema (it selects a rule; args decides what passes)', policy({ rules: [{ when: { properties: { path: { pattern: '\\.env$' } } }, action: 'deny' }] }), []],
  ['a string rule', policy('allow'), []],
  ['a policy that is not an object', 'tools: nothing', []],
  ['args that are not an object', policy({ args: true }), []],
];

describe('open-path-args', () => {
  it.each(CASES)('%s', (_what, doc, places) => {
    const problems = openPathArgs(doc);
    expect(problems.map((p) => formatPath(p.path))).toEqual(places);
    for (const p of problems) {
      expect(p.ruleId).toBe('open-path-args');
      expect(p.target).toBe('key');
      expect(p.message).toContain('"additionalProperties": false');
    }
  });

  it('names the path it found, so the warning says which argument it is about', () => {
    const [problem] = openPathArgs(args({ properties: { action: { type: 'string' }, venvPath: within } }));
    expect(problem!.message).toMatch(/^tools\.t\.args: takes a path \("venvPath"\)/);
  });

  it('stops at a depth no real schema reaches', () => {
    let deep: Record<string, unknown> = { properties: { path: within } };
    for (let i = 0; i < 200; i++) deep = { type: 'object', properties: { inner: deep }, additionalProperties: false };
    expect(() => openPathArgs(policy({ args: deep }))).not.toThrow();
  });
});
