import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS, until } from './support/attacks.js';

/**
 * The attack of issue 11: server-filesystem with the workspace as its root, `write_file`
 * confined to the workspace by `x-path-within`, and mcp-guard's own files in that workspace (the
 * policy at its root, as a `${workspaceFolder}` setup puts it; the state dir and the audit log
 * beside it). An agent that could write `{"version":"1","default":"allow"}` into the policy would
 * have hot reload hand it everything. Every spelling must be refused as `protected`, and nothing
 * may change, even with a person who says yes to everything.
 */

const SERVER = join(SERVERS, 'server-filesystem/dist/index.js');
const ALLOW_ALL = '{"version":"1","default":"allow"}';

/** Spellings of `{target}` (a path relative to the workspace) that the server opens as that file. */
const SPELLINGS: Array<[why: string, path: string]> = [
  ['relative', '{target}'],
  ['./', './{target}'],
  ['trailing /.', '{target}/.'],
  ['trailing /', '{target}/'],
  ['a .. segment', 'sub/../{target}'],
  ['absolute', '{ws}/{target}'],
  ['absolute, doubled separator', '{ws}//{target}'],
  ['~ form', '~/{wsName}/{target}'],
  ['through a symlinked directory', '{ws}/here/{target}'],
];

/** Every way server-filesystem writes, moves or reads a file, on `path`. */
const TOOLS_ON: Array<[tool: string, args: (path: string) => Record<string, unknown>]> = [
  ['write_file', (path) => ({ path, content: ALLOW_ALL })],
  ['edit_file', (path) => ({ path, edits: [{ oldText: '"deny"', newText: '"allow"' }] })],
  ['move_file', (path) => ({ source: path, destination: '{ws}/moved-away' })],
  ['move_file', (path) => ({ source: '{ws}/allow-all.json', destination: path })],
  ['read_text_file', (path) => ({ path })],
  ['read_multiple_files', (path) => ({ paths: ['{ws}/notes.md', path] })],
];

const attacksOn = (target: string): Attack[] =>
  SPELLINGS.flatMap(([why, spelling]) => TOOLS_ON.map(([tool, args]): Attack => [`${target}, ${why}`, tool, args(spelling.replaceAll('{target}', target))]));

/** Names that are not the file's but lead to it, and mentions of its absolute path inside other text. */
const OTHER_ATTACKS: Attack[] = [
  ['a symlink to the policy', 'write_file', { path: '{ws}/innocent.json', content: ALLOW_ALL }],
  ['a symlink to the state database', 'write_file', { path: '{ws}/innocent.db', content: 'x' }],
  ['a symlink to the state dir', 'write_file', { path: '{ws}/statelink/state.db', content: 'x' }],
  ['the state dir itself, moved away', 'move_file', { source: '{ws}/state', destination: '{ws}/old-state' }],
  ['the state dir with a trailing /.', 'move_file', { source: 'state/.', destination: '{ws}/old-state' }],
  ['the policy path inside a longer string', 'write_file', { path: '{ws}/notes.md', content: 'cp allow-all.json {ws}/policy.json' }],
  ['the policy path inside an edit', 'edit_file', { path: '{ws}/notes.md', edits: [{ oldText: 'milk', newText: 'see {ws}/policy.json' }] }],
  ['the audit log path inside a longer string', 'write_file', { path: '{ws}/run.sh', content: ': > {ws}/audit.jsonl' }],
];

let ws: string;
let values: Record<string, string>;
let g: GuardedServer;
let before: { policy: string; audit: string };

beforeAll(async () => {
  ws = freshDir('mcp-guard-self-');
  mkdirSync(join(ws, 'sub'));
  writeFileSync(join(ws, 'notes.md'), 'remember the milk');
  writeFileSync(join(ws, 'allow-all.json'), ALLOW_ALL);
  const root = { type: 'string', 'x-path-within': [ws] };
  const policy = {
    version: '1',
    default: 'deny',
    tools: {
      // A grant limit, so the state database is in use while it is attacked.
      write_file: { args: { type: 'object', properties: { path: root, content: { type: 'string' } }, required: ['path', 'content'], additionalProperties: false }, limits: [{ window: 'minute', max: 1000, scope: 'grant' }] },
      edit_file: { args: { type: 'object', properties: { path: root, edits: { type: 'array' }, dryRun: { type: 'boolean' } }, required: ['path', 'edits'], additionalProperties: false } },
      move_file: { args: { type: 'object', properties: { source: root, destination: root }, required: ['source', 'destination'], additionalProperties: false } },
      read_text_file: { args: { type: 'object', properties: { path: root, head: { type: 'number' }, tail: { type: 'number' } }, required: ['path'], additionalProperties: false } },
      read_multiple_files: { args: { type: 'object', properties: { paths: { type: 'array', items: root } }, required: ['paths'], additionalProperties: false } },
    },
  };
  writeFileSync(join(ws, 'policy.json'), JSON.stringify(policy, null, 2));
  g = await guardServer({
    policyFile: join(ws, 'policy.json'),
    stateDir: join(ws, 'state'),
    auditLog: join(ws, 'audit.jsonl'),
    server: ['node', SERVER, ws],
    answer: 'accept',
    cwd: ws,
    env: { HOME: dirname(ws) },
  });
  // One allowed write: the grant counter is now in the state database, the audit log has a line.
  const first = await g.client.callTool({ name: 'write_file', arguments: { path: join(ws, 'sub/first.md'), content: 'first' } });
  expect(first.isError).toBeFalsy();
  await until(() => existsSync(join(ws, 'audit.jsonl')) && readFileSync(join(ws, 'audit.jsonl'), 'utf8').length > 0, 'the audit log');
  expect(existsSync(join(ws, 'state/state.db'))).toBe(true);
  symlinkSync('.', join(ws, 'here'));
  symlinkSync('policy.json', join(ws, 'innocent.json'));
  symlinkSync('state/state.db', join(ws, 'innocent.db'));
  symlinkSync('state', join(ws, 'statelink'));
  values = { ws, wsName: basename(ws) };
  before = { policy: readFileSync(join(ws, 'policy.json'), 'utf8'), audit: readFileSync(join(ws, 'audit.jsonl'), 'utf8') };
});

afterAll(async () => g?.close());

describe("mcp-guard's own files in the workspace a write_file tool may write", () => {
  it('refuses every spelling of the policy, the state dir and the audit log as protected, through every tool', async () => {
    const denied = await g.client.callTool({ name: 'list_directory', arguments: { path: ws } });
    expect(denied._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'default' });

    const attacks = [...attacksOn('policy.json'), ...attacksOn('state/state.db'), ...attacksOn('state'), ...attacksOn('audit.jsonl'), ...OTHER_ATTACKS];
    const outcomes = await attack(g, attacks, values);
    expect(breaches(g, outcomes, { refusedAs: 'protected', secrets: ['"default": "deny"'] })).toEqual([]);
    expect(outcomes.every((o) => o.refusal !== 'protected' || o.answer.includes('self-protection'))).toBe(true);

    expect(readFileSync(join(ws, 'policy.json'), 'utf8')).toBe(before.policy);
    expect(readFileSync(join(ws, 'audit.jsonl'), 'utf8').startsWith(before.audit)).toBe(true);
    expect(existsSync(join(ws, 'state/state.db'))).toBe(true);
    expect(existsSync(join(ws, 'moved-away'))).toBe(false);
    expect(existsSync(join(ws, 'old-state'))).toBe(false);
    expect(g.asked).toEqual([]);
    expect(receivedCalls(g).map((c) => c.name)).toEqual(['write_file']);
  }, 120_000);

  it('still denies what the policy denies, after the reload settle period has passed', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const denied = await g.client.callTool({ name: 'list_directory', arguments: { path: ws } });
    expect(denied._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'default' });
    const second = await g.client.callTool({ name: 'write_file', arguments: { path: join(ws, 'sub/second.md'), content: 'second' } });
    expect(second.isError).toBeFalsy();
    expect(readFileSync(join(ws, 'sub/second.md'), 'utf8')).toBe('second');
  });
});
