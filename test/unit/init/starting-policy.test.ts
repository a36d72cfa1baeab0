import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { startingPolicyJson } from '../../../src/init/policy-json.js';
import { startingPolicyYaml } from '../../../src/init/policy-yaml.js';
import { buildStartingPolicy, describeRate, exactKey } from '../../../src/init/starting-policy.js';
import { classifyTool } from '../../../src/init/tool-risk.js';
import { compilePolicy } from '../../../src/policy/engine/compile.js';
import { decideToolCall, isToolVisible } from '../../../src/policy/engine/decide.js';
import { loadPolicy } from '../../../src/policy/load.js';
import { parsePolicySource } from '../../../src/policy/source/source.js';
import { validatePolicy } from '../../../src/policy/checks/validate.js';
import { hostFileSystem } from '../../../src/policy/host-file-system.js';

const tool = (name: string, annotations?: Tool['annotations'], description?: string): Tool => ({
  name,
  inputSchema: { type: 'object' },
  ...(annotations ? { annotations } : {}),
  ...(description !== undefined ? { description } : {}),
});

describe('classifyTool', () => {
  const cases: Array<[string, Tool['annotations'] | undefined, string, string]> = [
    ['read-only', { readOnlyHint: true }, 'read-only', 'readOnlyHint'],
    ['read-only wins over destructive (the hint only means something for writers)', { readOnlyHint: true, destructiveHint: true }, 'read-only', 'readOnlyHint'],
    ['read-only and open-world', { readOnlyHint: true, openWorldHint: true }, 'read-only', 'readOnlyHint'],
    ['destructive', { destructiveHint: true }, 'destructive', 'destructiveHint'],
    ['destructive and open-world', { readOnlyHint: false, destructiveHint: true, openWorldHint: true }, 'destructive', 'destructiveHint'],
    ['a writer that does not deny being destructive (MCP default: destructive)', { readOnlyHint: false }, 'destructive', 'not read-only, and not marked non-destructive'],
    ['open-world, additive', { readOnlyHint: false, destructiveHint: false, openWorldHint: true }, 'limited', 'openWorldHint'],
    ['open-world only', { openWorldHint: true }, 'limited', 'openWorldHint'],
    ['additive, closed world', { readOnlyHint: false, destructiveHint: false, openWorldHint: false }, 'limited', 'changes state, marked non-destructive'],
    ['no annotations', undefined, 'limited', 'no annotations'],
    ['annotations with only a title', { title: 'Thing' }, 'limited', 'no annotations'],
  ];
  it.each(cases)('%s', (_name, annotations, group, because) => {
    expect(classifyTool(tool('t', annotations))).toEqual({ group, because });
  });
});

describe('exactKey', () => {
  it.each([
    ['plain_name', 'plain_name'],
    ['get-*', 'get-\\*'],
    ['what?', 'what\\?'],
    ['[draft]', '\\[draft]'],
    ['{a,b}', '\\{a,b}'],
    ['back\\slash', 'back\\\\slash'],
    ['$comment', '\\$comment'],
  ])('%s → %s', (name, key) => {
    expect(exactKey(name)).toBe(key);
  });
});

const WEIRD = ['get-*', 'what?', '[draft]', '{a,b}', 'back\\slash', '$comment', 'naïve ünïcode', 'with space'];
const TOOLS: Tool[] = [
  tool('delete_file', { destructiveHint: true }, 'Delete a file'),
  tool('read_file', { readOnlyHint: true }, 'Read a file.\n\nReturns   its text.'),
  tool('search_web', { openWorldHint: true }, 'Search the web'),
  tool('create_note', { readOnlyHint: false, destructiveHint: false }),
  tool('evil', undefined, 'Looks \u001b[31mred\u001b[0m and \u001b]0;title\u0007 sets a title'),
  tool('read_file', { destructiveHint: true }, 'a second listing of the same name'),
  ...WEIRD.map((name) => tool(name, { readOnlyHint: true }, `the tool ${name}`)),
];

describe('buildStartingPolicy', () => {
  const policy = buildStartingPolicy(TOOLS, { command: "node server.js --root '/tmp/x'" });

  it('orders entries read-only, limited, destructive, once per name', () => {
    expect(policy.entries.map((e) => [e.name, e.group])).toEqual([
      ['read_file', 'read-only'],
      ...WEIRD.map((n) => [n, 'read-only']),
      ['search_web', 'limited'],
      ['create_note', 'limited'],
      ['evil', 'limited'],
      ['delete_file', 'destructive'],
    ]);
  });

  it('keeps descriptions on one line, without terminal control sequences', () => {
    const byName = new Map(policy.entries.map((e) => [e.name, e]));
    expect(byName.get('read_file')!.description).toBe('Read a file. Returns its text.');
    expect(byName.get('evil')!.description).toBe('Looks red and sets a title');
    expect(byName.get('create_note')!.description).toBe('');
  });

  it('asks for destructive tools with a reason that names the tool', () => {
    expect(policy.entries.at(-1)!.rule).toEqual({ action: 'ask', reason: 'the server marks delete_file as destructive: Delete a file' });
  });

  it('uses the rate limit given', () => {
    const strict = buildStartingPolicy([tool('x')], { command: 'x', rateLimit: '5/hour' });
    expect(strict.entries[0]!.rule).toEqual({ rate_limit: '5/hour' });
    expect(describeRate('5/hour')).toBe('5 calls per hour');
    expect(describeRate('1/15m')).toBe('1 call per 15m');
  });
});

/** Loads the text the way `run` and `lint` do: every problem, and the document the engine gets. */
async function check(text: string, format: 'json' | 'yaml') {
  const problems = await validatePolicy(await parsePolicySource(text, `policy.${format}`, { format }));
  const file = join(mkdtempSync(join(tmpdir(), 'mcp-guard-init-')), `policy.${format}`);
  writeFileSync(file, text);
  const { document } = await loadPolicy(file);
  return { problems, document };
}

/** Where `$schema` points: the schema file of the package that wrote the policy, on this machine. */
const SCHEMA = pathToFileURL(resolve(import.meta.dirname, '../../../schema/policy.schema.json')).href;

describe.each(['json', 'yaml'] as const)('the %s output', (format) => {
  const serialise = (p: ReturnType<typeof buildStartingPolicy>) => (format === 'json' ? Promise.resolve(startingPolicyJson(p)) : startingPolicyYaml(p));

  it('validates with no errors and no warnings, and decides as the groups say', async () => {
    const text = await serialise(buildStartingPolicy(TOOLS, { command: 'node server.js' }));
    const { problems, document } = await check(text, format);
    expect(problems).toEqual([]);
    expect(document).toMatchObject({ $schema: SCHEMA, version: '1', default: 'deny' });
    const policy = await compilePolicy(document, `/policy.${format}`, { pathEnv: hostFileSystem() });
    expect(decideToolCall(policy, 'read_file', {})).toMatchObject({ outcome: 'allow', rule: 'tools.read_file' });
    expect(decideToolCall(policy, 'search_web', {})).toMatchObject({ outcome: 'allow', charges: [expect.objectContaining({ max: 30, windowMs: 60_000 })] });
    expect(decideToolCall(policy, 'delete_file', {})).toMatchObject({ outcome: 'ask', rule: 'tools.delete_file', reason: expect.stringContaining('destructive') });
    expect(decideToolCall(policy, 'something_new', {})).toMatchObject({ outcome: 'refuse', rule: 'default' });
    expect(isToolVisible(policy, 'something_new')).toBe(false);
  });

  it('names tools with glob characters exactly, and nothing else with them', async () => {
    const text = await serialise(buildStartingPolicy(TOOLS, { command: 'node server.js' }));
    const policy = await compilePolicy((await check(text, format)).document, `/policy.${format}`, { pathEnv: hostFileSystem() });
    for (const name of WEIRD) expect(decideToolCall(policy, name, {}), name).toMatchObject({ outcome: 'allow' });
    // Were `get-*` a pattern it would allow these; written exactly, the default refuses them.
    for (const name of ['get-secrets', 'whatX', 'd', 'a', 'b']) expect(decideToolCall(policy, name, {}), name).toMatchObject({ outcome: 'refuse', rule: 'default' });
  });

  it('keeps each description beside its tool', async () => {
    const text = await serialise(buildStartingPolicy(TOOLS, { command: 'node server.js' }));
    if (format === 'json') {
      const doc = JSON.parse(text) as { tools: Record<string, { $comment: string }> };
      expect(doc.tools.read_file!.$comment).toBe('Read a file. Returns its text. [readOnlyHint]');
      expect(doc.tools.create_note!.$comment).toBe('(no description) [changes state, marked non-destructive]');
      expect(doc.tools.$comment).toContain('Destructive (destructiveHint)');
    } else {
      expect(text).toMatch(/ {2}# read_file: Read a file\. Returns its text\. \[readOnlyHint\]\n {2}read_file: allow\n/);
      expect(text).toMatch(/# ── Destructive \(destructiveHint\): a person's yes for each call ──\n {2}# delete_file: Delete a file \[destructiveHint\]\n {2}delete_file:\n {4}action: ask\n/);
      expect(text.startsWith(`# yaml-language-server: $schema=${SCHEMA}\n`)).toBe(true);
      expect(text).not.toMatch(/[ \t]\n/);
    }
    expect(text).not.toContain('\u001b');
  });

  it('writes a valid policy for a server with no tools', async () => {
    const text = await serialise(buildStartingPolicy([], { command: 'node empty.js' }));
    const { problems, document } = await check(text, format);
    expect(problems).toEqual([]);
    expect(document.tools ?? {}).toEqual({});
    if (format === 'json') expect(JSON.parse(text).tools.$comment).toContain('no tools');
  });
});
