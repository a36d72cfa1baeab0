import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, freshDir, GET_PROMPT, guardServer, type GuardedServer } from './support/attacks.js';
import { ROOT } from './support/guard.js';

/**
 * SPEC §9 judges a path "the way a server would resolve it". A server that hands a path to C
 * (open(2), fopen(), a program's arguments) reads it up to its first NUL, and a filename sanitizer
 * drops NULs: `policy.json\u0000.txt` is `policy.json` to both. test/fixtures/path-readings-server.mjs
 * really writes what it reads that way, in a workspace that holds mcp-guard's own files.
 */

const SERVER = join(ROOT, 'test/fixtures/path-readings-server.mjs');
const ALLOW_ALL = '{"version":"1","default":"allow"}';
const NUL = '\u0000';

const C_STRINGS: Attack[] = [
  ['the policy, then a NUL', 'write_file', { path: `policy.json${NUL}`, content: ALLOW_ALL }],
  ['the policy, a NUL, then an extension', 'write_file', { path: `policy.json${NUL}.txt`, content: ALLOW_ALL }],
  ['./ and a NUL', 'write_file', { path: `./policy.json${NUL}x`, content: ALLOW_ALL }],
  ['a .. segment and a NUL', 'write_file', { path: `sub/../policy.json${NUL}/x`, content: ALLOW_ALL }],
  ['absolute through /./, then a NUL', 'write_file', { path: `{ws}/./policy.json${NUL}`, content: ALLOW_ALL }],
  ['~ form and a NUL', 'write_file', { path: `~/{wsName}/policy.json${NUL}.bak`, content: ALLOW_ALL }],
  ['the state database, then a NUL', 'write_file', { path: `state/state.db${NUL}`, content: 'x' }],
  ['the audit log, then a NUL', 'write_file', { path: `audit.jsonl${NUL}.old`, content: 'x' }],
  ['a file: URI with %00', 'write_file', { path: 'file://{ws}/./policy.json%00.txt', content: ALLOW_ALL }],
];

const SANITIZED: Attack[] = [
  ['a NUL inside the name', 'write_sanitized', { path: `poli${NUL}cy.json`, content: ALLOW_ALL }],
  ['NULs inside an absolute path', 'write_sanitized', { path: `{ws}/.${NUL}/policy${NUL}.json`, content: ALLOW_ALL }],
  ['a NUL inside the state dir', 'write_sanitized', { path: `sta${NUL}te/state.db`, content: 'x' }],
];

const EDGES: Attack[] = [
  ['the policy, then a space', 'write_trimmed', { path: 'policy.json ', content: ALLOW_ALL }],
  ['the policy after a tab', 'write_trimmed', { path: '\tpolicy.json', content: ALLOW_ALL }],
  ['the policy, then a newline', 'write_trimmed', { path: 'policy.json\n', content: ALLOW_ALL }],
  ['the policy in double quotes, absolute through /./', 'write_trimmed', { path: '"{ws}/./policy.json"', content: ALLOW_ALL }],
  ["the policy in single quotes, through ..", 'write_trimmed', { path: "'sub/../policy.json'", content: ALLOW_ALL }],
  ['the policy in quotes and spaces', 'write_trimmed', { path: ' " policy.json " ', content: ALLOW_ALL }],
  ['the state database after a no-break space', 'write_trimmed', { path: '\u00a0state/state.db', content: 'x' }],
  ['the audit log in quotes', 'write_trimmed', { path: "'audit.jsonl'", content: 'x' }],
];

const CONVERTED: Attack[] = [
  ['the policy, \\ for /', 'write_windows', { path: '{ws}\\policy.json', content: ALLOW_ALL }],
  ['the policy through .., \\ for /', 'write_windows', { path: 'sub\\..\\policy.json', content: ALLOW_ALL }],
  ['the state database, \\ for /', 'write_windows', { path: '.\\state\\state.db', content: 'x' }],
  ['the policy under $HOME', 'write_expanded', { path: '$HOME/ws/policy.json', content: ALLOW_ALL }],
  ['the state database under a variable in braces', 'write_expanded', { path: '${MCP_GUARD_TEST_WS}/state/state.db', content: 'x' }],
  ['the audit log under a variable, through ..', 'write_expanded', { path: '$MCP_GUARD_TEST_WS/sub/../audit.jsonl', content: 'x' }],
];

let ws: string;
let g: GuardedServer;
let policyBefore: string;

beforeAll(async () => {
  // One level down, so what escapes the workspace lands in a directory of this run's own.
  ws = join(freshDir('mcp-guard-readings-'), 'ws');
  mkdirSync(join(ws, 'sub'), { recursive: true });
  writeFileSync(join(ws, 'policy.json'), JSON.stringify({ version: '1', default: 'allow', tools: { write_file: 'allow', write_sanitized: 'allow', write_trimmed: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': [ws] } } } }, write_windows: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': [ws] } } } }, write_expanded: 'allow' } }, null, 2));
  policyBefore = readFileSync(join(ws, 'policy.json'), 'utf8');
  g = await guardServer({
    policyFile: join(ws, 'policy.json'),
    stateDir: join(ws, 'state'),
    auditLog: join(ws, 'audit.jsonl'),
    server: ['node', SERVER],
    answer: 'accept',
    cwd: ws,
    env: { HOME: dirname(ws), MCP_GUARD_TEST_WS: ws },
  });
});

afterAll(async () => g?.close());

describe('a path with white space or quotes around it, as a server that strips them', () => {
  it('is refused as protected when what is left is one of mcp-guard’s files', async () => {
    const outcomes = await attack(g, EDGES, { ws });
    expect(breaches(g, outcomes, { refusedAs: 'protected' })).toEqual([]);
    expect(readFileSync(join(ws, 'policy.json'), 'utf8')).toBe(policyBefore);
  });

  it('is relayed when what is left is an ordinary file: the server writes it', async () => {
    const trimmed = await g.client.callTool({ name: 'write_trimmed', arguments: { path: ' "notes3.md"\n', content: 'trimmed' } });
    expect(trimmed.isError).toBeFalsy();
    expect(readFileSync(join(ws, 'notes3.md'), 'utf8')).toBe('trimmed');
  });
});

describe('a path with \\ or $VARIABLES in it, as a server that converts or expands them', () => {
  it('is refused as protected when it then names one of mcp-guard’s files', async () => {
    const outcomes = await attack(g, CONVERTED, { ws });
    expect(breaches(g, outcomes, { refusedAs: 'protected' })).toEqual([]);
    expect(readFileSync(join(ws, 'policy.json'), 'utf8')).toBe(policyBefore);
  });

  it('does not leave an x-path-within root through \\ taken for /', async () => {
    const outcomes = await attack(g, [['.. written with \\', 'write_windows', { path: '{ws}/sub\\..\\..\\escaped2.txt', content: 'x' }]], { ws });
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments' })).toEqual([]);
    expect(existsSync(join(dirname(ws), 'escaped2.txt'))).toBe(false);
  });

  it('is relayed when it names an ordinary file: the server writes it', async () => {
    expect((await g.client.callTool({ name: 'write_windows', arguments: { path: 'sub\\notes4.md', content: 'windows' } })).isError).toBeFalsy();
    expect(readFileSync(join(ws, 'sub', 'notes4.md'), 'utf8')).toBe('windows');
    expect((await g.client.callTool({ name: 'write_expanded', arguments: { path: '$MCP_GUARD_TEST_WS/notes5.md', content: 'expanded' } })).isError).toBeFalsy();
    expect(readFileSync(join(ws, 'notes5.md'), 'utf8')).toBe('expanded');
  });
});

describe('an x-path-within root, through a server that strips white space and quotes', () => {
  it('is not left by a path that is inside as written and outside once stripped', async () => {
    const escapes: Attack[] = [
      ['a quoted absolute path with ..', 'write_trimmed', { path: '"{ws}/sub/../../escaped.txt"', content: 'x' }],
      ['a relative path with .. and a trailing space', 'write_trimmed', { path: "'../escaped.txt' ", content: 'x' }],
    ];
    const outcomes = await attack(g, escapes, { ws });
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments' })).toEqual([]);
    expect(existsSync(join(dirname(ws), 'escaped.txt'))).toBe(false);
  });
});

describe('a prompt that quotes the file its argument names', () => {
  it('is refused as protected for mcp-guard’s own files, and their content never comes back', async () => {
    const outcomes = await attack(
      g,
      [
        ['the policy by its path', GET_PROMPT, { name: 'show_file', arguments: { path: '{ws}/policy.json' } }],
        ['the policy, relative', GET_PROMPT, { name: 'show_file', arguments: { path: 'sub/../policy.json' } }],
        ['the audit log', GET_PROMPT, { name: 'show_file', arguments: { path: 'audit.jsonl' } }],
      ],
      { ws },
    );
    expect(breaches(g, outcomes, { refusedAs: 'protected', secrets: ['"default": "allow"'] })).toEqual([]);
  });

  it('quotes an ordinary file', async () => {
    const prompt = await g.client.getPrompt({ name: 'show_file', arguments: { path: join(ws, 'notes.md') } });
    expect(JSON.stringify(prompt.messages)).toContain('Review this file');
  });
});

describe('a path with a NUL in it, as a server that reads it the way C does', () => {
  it('is refused as protected when the part before the NUL, or the path without its NULs, is one of mcp-guard’s files', async () => {
    const outcomes = await attack(g, [...C_STRINGS, ...SANITIZED], { ws, wsName: basename(ws) });
    expect(breaches(g, outcomes, { refusedAs: 'protected' })).toEqual([]);
    expect(readFileSync(join(ws, 'policy.json'), 'utf8')).toBe(policyBefore);
  });

  it('is relayed when what the server opens is an ordinary file: the server writes it', async () => {
    const truncated = await g.client.callTool({ name: 'write_file', arguments: { path: `notes.md${NUL}.txt`, content: 'truncated' } });
    expect(truncated.isError).toBeFalsy();
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).toBe('truncated');
    const sanitized = await g.client.callTool({ name: 'write_sanitized', arguments: { path: `no${NUL}tes2.md`, content: 'sanitized' } });
    expect(sanitized.isError).toBeFalsy();
    expect(readFileSync(join(ws, 'notes2.md'), 'utf8')).toBe('sanitized');
  });
});
