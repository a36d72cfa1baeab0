import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateTestSource } from '../../../src/policy/checks/test-cases.js';
import { compilePolicy } from '../../../src/policy/engine/compile.js';
import { describeCase, messageOf, runTestCases } from '../../../src/policy/engine/policy-tests.js';
import { EXPECTED_DECISIONS } from '../../../src/policy/engine/types.js';
import { hostFileSystem } from '../../../src/policy/host-file-system.js';
import { parsePolicySource } from '../../../src/policy/source/source.js';
import { findPolicyFor, findTestFiles, isTestFile, testFileNames } from '../../../src/policy/source/test-files.js';
import { readFileSync } from 'node:fs';
import { escapeText } from '../../../src/terminal/escape.js';

describe('test files beside a policy', () => {
  it('are named after the policy, and after its stem for *.policy.*', () => {
    expect(testFileNames('/d/x.policy.json')).toEqual(['/d/x.policy.test.json', '/d/x.policy.test.yaml', '/d/x.policy.test.yml', '/d/x.test.json', '/d/x.test.yaml', '/d/x.test.yml']);
    expect(testFileNames('/d/mcp-guard.config.yaml')).toEqual(['/d/mcp-guard.config.test.json', '/d/mcp-guard.config.test.yaml', '/d/mcp-guard.config.test.yml']);
    expect(testFileNames('/d/.mcp-guardrc')).toEqual(['/d/.mcp-guardrc.test.json', '/d/.mcp-guardrc.test.yaml', '/d/.mcp-guardrc.test.yml']);
    expect(isTestFile('/d/x.test.yml')).toBe(true);
    expect(isTestFile('/d/x.json')).toBe(false);
  });
  it('are found on disk, and lead back to their policy (never to a directory)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-testfiles-'));
    for (const f of ['a.policy.json', 'a.test.yaml', 'b.yaml', 'b.test.json']) writeFileSync(join(dir, f), '{}');
    expect(findTestFiles(join(dir, 'a.policy.json'))).toEqual([join(dir, 'a.test.yaml')]);
    expect(findPolicyFor(join(dir, 'a.test.yaml'))).toBe(join(dir, 'a.policy.json'));
    expect(findPolicyFor(join(dir, 'b.test.json'))).toBe(join(dir, 'b.yaml'));
    expect(findPolicyFor(join(tmpdir(), `${dir.split('/').pop()}.test.json`))).toBeUndefined();
  });
});

describe('the schema and the engine agree on what a case may expect', () => {
  it('lists the same decisions', () => {
    const schema = JSON.parse(readFileSync('schema/policy.schema.json', 'utf8')) as { $defs: { testCase: { properties: { expect: { enum: string[] } } } } };
    expect(schema.$defs.testCase.properties.expect.enum).toEqual([...EXPECTED_DECISIONS]);
  });
});

describe('runTestCases', () => {
  it('judges each kind of message, in its direction', async () => {
    const policy = await compilePolicy({ version: '1', default: 'allow', methods: { 'sampling/createMessage': 'deny', 'roots/list': 'allow' }, prompts: { p: 'deny' } }, '/p.json', { pathEnv: hostFileSystem() });
    expect(messageOf({ method: 'roots/list', expect: 'allowed' })).toEqual({ method: 'roots/list', direction: 'server→client' });
    expect(messageOf({ prompt: { name: 'p', arguments: { a: 1 } }, expect: 'denied' })).toEqual({ method: 'prompts/get', params: { name: 'p', arguments: { a: 1 } } });
    const results = runTestCases(policy, [
      { method: 'sampling/createMessage', expect: 'denied', rule: 'methods.sampling/createMessage' },
      { method: 'roots/list', expect: 'allowed', rule: 'methods.roots/list' },
      { prompt: 'p', expect: 'denied' },
      { resource: 'file:///x', expect: 'allowed', rule: 'default' },
    ]);
    expect(results.map((r) => r.passed)).toEqual([true, true, true, true]);
  });

  it('names a case by its message when it has no name', () => {
    expect(describeCase({ call: { tool: 'read_file', arguments: { path: '/tmp/a' } }, expect: 'allowed' })).toBe('read_file {"path":"/tmp/a"}');
    expect(describeCase({ call: { tool: 't', arguments: { x: 'y'.repeat(100) } }, expect: 'allowed' })).toMatch(/^t \{"x":"y+\.\.\.$/);
    expect(describeCase({ resource: 'file:///x', expect: 'allowed' })).toBe('resource file:///x');
    expect(describeCase({ method: 'ping', expect: 'allowed' })).toBe('method ping');
  });
});

describe('validateTestSource', () => {
  const policy = { version: '1', tools: { echo: 'allow' } };
  it('checks a bare list, with positions in the test file', async () => {
    const source = await parsePolicySource('[\n  { "call": "echo", "expect": "allowd" },\n  { "call": "echo" }\n]\n', 'x.test.json');
    expect((validateTestSource(source, policy)).map((p) => `${p.ruleId}@${p.line}:${p.column} ${p.path}`)).toEqual([
      'invalid-value@2:31 tests[0].expect',
      'missing-key@3:3 tests[1]',
    ]);
  });
  it('checks the keys of a { tests } file, and what is neither', async () => {
    const keys = await parsePolicySource('{ "test": [] }', 'x.test.json');
    expect(validateTestSource(keys, policy).map((p) => [p.ruleId, p.suggestion])).toEqual([
      ['missing-key', undefined],
      ['unknown-key', 'tests'],
    ]);
    const scalar = await parsePolicySource('"echo"', 'x.test.json');
    expect(validateTestSource(scalar, policy).map((p) => p.ruleId)).toEqual(['wrong-type']);
    const syntax = await parsePolicySource('[{ "call": ', 'x.test.json');
    expect(validateTestSource(syntax, policy).map((p) => p.ruleId)).toEqual(['syntax']);
  });
});

describe('escapeText', () => {
  it('shows control, bidi and zero-width characters instead of letting them act', () => {
    expect(escapeText('a\nb\u001b[31mc\u202ed\u200be')).toBe('a\\nb\\u001b[31mc\\u202ed\\u200be');
    expect(escapeText('plain ünïcode ✓')).toBe('plain ünïcode ✓');
  });
});
