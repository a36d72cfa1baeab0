import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS } from './support/attacks.js';

// The two ways around self-protection the example attacks found, through the built CLI against
// @modelcontextprotocol/server-filesystem: moving away the folder that holds the policy (to
// rewrite it there and move it back), and a relative path the server resolves against its own
// root while mcp-guard runs in another directory.

const SERVER = join(SERVERS, 'server-filesystem/dist/index.js');
const ALLOW_ALL = '{"version":"1","default":"allow"}';
const open = { version: '1', default: 'allow' };

let g: GuardedServer | undefined;
afterEach(async () => {
  await g?.close();
  g = undefined;
});

function workspaceWithPolicyIn(sub: string) {
  const ws = freshDir('mcp-guard-folders-');
  mkdirSync(join(ws, sub), { recursive: true });
  writeFileSync(join(ws, 'notes.md'), 'notes');
  // default allow: only self-protection stands between the agent and its own policy.
  const policyFile = join(ws, sub, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ ...open, tools: { shell_exec: 'deny' } }));
  return { ws, policyFile };
}

describe('self-protection, beyond the files themselves', () => {
  it('refuses to let a tool that is not read-only move the folder holding the policy; a read-only one may list it', async () => {
    const { ws, policyFile } = workspaceWithPolicyIn('.config');
    g = await guardServer({ policyFile, stateDir: join(dirname(ws), `${ws.split('/').pop()}-state`), auditLog: undefined, server: ['node', SERVER, ws], answer: 'accept', cwd: ws, env: { HOME: dirname(ws) } });
    await g.client.listTools();
    for (const source of [join(ws, '.config'), '.config', `${ws}/.config/`]) {
      const moved = await g.client.callTool({ name: 'move_file', arguments: { source, destination: join(ws, 'elsewhere') } });
      expect(moved._meta?.['mcp-guard'], source).toMatchObject({ decision: 'protected', rule: 'self-protection' });
    }
    const listed = await g.client.callTool({ name: 'list_directory', arguments: { path: join(ws, '.config') } });
    expect(listed._meta?.['mcp-guard']).toBeUndefined();
    expect(existsSync(join(ws, 'elsewhere'))).toBe(false);
    expect(readFileSync(policyFile, 'utf8')).toContain('shell_exec');
    expect(receivedCalls(g).map((c) => c.name)).toEqual(['list_directory']);
  }, 60_000);

  it('refuses a relative path that the server resolves to the policy from its own root, though mcp-guard runs elsewhere', async () => {
    const { ws, policyFile } = workspaceWithPolicyIn('.');
    const elsewhere = freshDir('mcp-guard-cwd-');
    g = await guardServer({ policyFile, stateDir: join(elsewhere, 'state'), auditLog: undefined, server: ['node', SERVER, ws], answer: 'accept', cwd: elsewhere, env: { HOME: dirname(ws) } });
    for (const path of ['policy.json', './policy.json']) {
      const written = await g.client.callTool({ name: 'write_file', arguments: { path, content: ALLOW_ALL } });
      expect(written._meta?.['mcp-guard'], path).toMatchObject({ decision: 'protected' });
    }
    expect(readFileSync(policyFile, 'utf8')).toContain('shell_exec');
    expect(receivedCalls(g)).toEqual([]);
  }, 60_000);
});
