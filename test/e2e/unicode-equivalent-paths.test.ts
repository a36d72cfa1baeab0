import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS } from './support/attacks.js';

/**
 * server-filesystem opens a path that does not exist as the existing one that is the same under
 * Unicode normalization (NFC), component by component (resolveUnicodeEquivalentPath), and macOS
 * file systems do the same for every program: `cafe\u0301` (e and a combining accent) is the
 * directory `café`, and `\u212Aeep` (the Kelvin sign) is `Keep`. mcp-guard's own files and its
 * `x-path-within` roots must be reached by none of those spellings.
 */

const SERVER = join(SERVERS, 'server-filesystem/dist/index.js');
const ALLOW_ALL = '{"version":"1","default":"allow"}';
const SECRET = 'the outside secret';
const nfd = (text: string) => text.normalize('NFD');

let base: string;
let ws: string;
let g: GuardedServer;
let policyBefore: string;

beforeAll(async () => {
  base = freshDir('mcp-guard-nfc-');
  ws = join(base, 'caf\u00e9'); // NFC: é is one code point
  mkdirSync(join(ws, 'allowed'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(base, 'outside', 'secret.txt'), SECRET);
  // A link whose name has an accent, inside the one folder reads are confined to, leading out of it.
  symlinkSync(join(base, 'outside'), join(ws, 'allowed', 'l\u00efnk'));
  // A link to the policy whose name has an accent.
  symlinkSync(join(ws, 'policy.json'), join(ws, '\u00e9criture.json'));
  writeFileSync(join(ws, 'notes.md'), 'notes');
  const policy = {
    version: '1',
    default: 'deny',
    tools: {
      write_file: 'allow',
      read_text_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': [join(ws, 'allowed')] } }, required: ['path'] } },
    },
  };
  writeFileSync(join(ws, 'policy.json'), JSON.stringify(policy, null, 2));
  policyBefore = readFileSync(join(ws, 'policy.json'), 'utf8');
  g = await guardServer({
    policyFile: join(ws, 'policy.json'),
    // A state dir whose name has a K, which the Kelvin sign is under NFC.
    stateDir: join(ws, 'Keep'),
    auditLog: join(ws, 'audit.jsonl'),
    // The server may reach everything under base: the policy is what confines it.
    server: ['node', SERVER, base],
    answer: 'accept',
    cwd: ws,
  });
});

afterAll(async () => g?.close());

describe('paths spelt in another Unicode normalization', () => {
  it("cannot reach mcp-guard's own files", async () => {
    const attacks: Attack[] = [
      ['the workspace decomposed (NFD)', 'write_file', { path: nfd(join(ws, 'policy.json')), content: ALLOW_ALL }],
      ['the workspace decomposed, relative from above', 'write_file', { path: nfd('../caf\u00e9/policy.json'), content: ALLOW_ALL }],
      ['a link to the policy, its name decomposed', 'write_file', { path: nfd(join(ws, '\u00e9criture.json')), content: ALLOW_ALL }],
      ['a link to the policy, its name decomposed, relative', 'write_file', { path: nfd('\u00e9criture.json'), content: ALLOW_ALL }],
      ['the state dir with a Kelvin sign', 'write_file', { path: join(ws, '\u212Aeep', 'state.db'), content: 'x' }],
      ['the state dir with a Kelvin sign, relative', 'write_file', { path: '\u212Aeep/state.db', content: 'x' }],
    ];
    const outcomes = await attack(g, attacks, {});
    expect(breaches(g, outcomes, { refusedAs: 'protected' })).toEqual([]);
    expect(readFileSync(join(ws, 'policy.json'), 'utf8')).toBe(policyBefore);
  });

  it('cannot leave an x-path-within root through a link whose name is spelt decomposed', async () => {
    const attacks: Attack[] = [
      ['a link out of the root, its name decomposed', 'read_text_file', { path: nfd(join(ws, 'allowed', 'l\u00efnk', 'secret.txt')) }],
      ['the same, relative', 'read_text_file', { path: nfd('allowed/l\u00efnk/secret.txt') }],
    ];
    const outcomes = await attack(g, attacks, {});
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments', secrets: [SECRET] })).toEqual([]);
  });

  it('still relays what is only spelt differently: the server writes the file it finds', async () => {
    const written = await g.client.callTool({ name: 'write_file', arguments: { path: nfd(join(ws, 'notes.md')), content: 'rewritten' } });
    expect(written.isError, JSON.stringify(written)).toBeFalsy();
    expect(readFileSync(join(ws, 'notes.md'), 'utf8')).toBe('rewritten');
    expect(receivedCalls(g).map((c) => c.name)).toEqual(['write_file']);
  });
});
