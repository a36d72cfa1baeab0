import { existsSync, mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, ROOT, workspace, type Workspace } from './support/guard.js';

/**
 * A session's working directory is moved while it runs (a filesystem server's move_file rooted
 * above the project can do it), and something else is put at its old path. Servers then disagree
 * on where a relative path is: one that opens it as it is (Go, C, Python's open) reaches the moved
 * directory, one that joins it to the path it started in (Node's path.resolve) reaches whatever is
 * at the old path now. An agent plants a link to the policy where its server will look: mcp-guard
 * must refuse it either way. The server (test/fixtures/file-resource-server.mjs) really reads what
 * its `read` tool is given; a harmless link planted beside the bad one shows where it looks.
 */
const SERVER = join(ROOT, 'test/fixtures/file-resource-server.mjs');
const POLICY_TEXT = 'POLICY-FILE-CONTENTS';
const HARMLESS = 'HARMLESS-NOTES';

let ws: Workspace;
let project: string;
let moved: string;
let session: Awaited<ReturnType<typeof connect>> | undefined;

afterEach(async () => {
  await session?.client.close();
  session = undefined;
});

function text(result: { content?: unknown }): string {
  return (result.content as Array<{ text: string }>).map((c) => c.text).join('');
}

describe.each([
  ['opens it as it is (Go, C, Python)', 'as-given', () => moved],
  ['joins it to the path it started in (Node)', 'resolve', () => project],
])('a server that %s', (_, open, whereItLooks) => {
  beforeEach(async () => {
    // The policy lives outside the project, so moving the project is not itself refused.
    ws = workspace({ version: '1', default: 'allow', $comment: POLICY_TEXT });
    project = join(ws.dir, 'home', 'project');
    moved = join(ws.dir, 'home', 'project-moved');
    mkdirSync(project, { recursive: true });
    writeFileSync(join(ws.dir, 'notes.txt'), HARMLESS);
    session = await connect(ws, { server: ['node', SERVER], cwd: project, env: { FILE_OPEN: open } });
    // A first call, so anything mcp-guard learns of the working directory it learns before the move.
    expect((await session.client.callTool({ name: 'read', arguments: { path: 'nothing-here' } })).isError).toBe(true);
    renameSync(project, moved);
    mkdirSync(project);
    const at = whereItLooks();
    mkdirSync(join(at, 'sub'));
    for (const name of ['link', 'sub/link']) {
      symlinkSync(ws.policyFile, join(at, name));
      symlinkSync(join(ws.dir, 'notes.txt'), join(at, `${name}-to-notes`));
    }
  });

  it.each(['link', 'sub/link'])('cannot read the policy through %s', async (name) => {
    const control = await session!.client.callTool({ name: 'read', arguments: { path: `${name}-to-notes` } });
    expect(text(control)).toBe(HARMLESS);
    const result = await session!.client.callTool({ name: 'read', arguments: { path: name } });
    expect(text(result)).not.toContain(POLICY_TEXT);
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/mcp-guard.*policy file/i);
  });
});

describe('a Node server, once the path it started in leads into the state dir', () => {
  it('cannot reach the state database by its bare name', async () => {
    ws = workspace({ version: '1', default: 'allow' });
    project = join(ws.dir, 'home', 'project');
    moved = join(ws.dir, 'home', 'project-moved');
    mkdirSync(project, { recursive: true });
    session = await connect(ws, { server: ['node', SERVER], cwd: project, env: { FILE_OPEN: 'resolve' } });
    // Listing the tools pins them: the state database exists from here on.
    await session.client.listTools();
    expect((await session.client.callTool({ name: 'read', arguments: { path: 'nothing-here' } })).isError).toBe(true);
    renameSync(project, moved);
    symlinkSync(ws.stateDir, project);
    // What a Node server opens for "state.db" from here (any file in the state dir is refused, so no harmless control).
    expect(existsSync(join(project, 'state.db'))).toBe(true);
    const result = await session.client.callTool({ name: 'read', arguments: { path: 'state.db' } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/mcp-guard.*state directory/i);
  });
});
