import { renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, workspace } from './support/guard.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function session(ws: ReturnType<typeof workspace>) {
  const s = await connect(ws);
  closers.push(() => s.client.close());
  return s;
}

const refused = async (client: Awaited<ReturnType<typeof connect>>['client'], name: string) => (await client.callTool({ name, arguments: {} })).isError === true;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('hot reload', () => {
  it('waits for a file written in two parts 400 ms apart, and applies it whole', async () => {
    const ws = workspace({ version: '1', default: 'allow' });
    const { client, stderr } = await session(ws);
    expect(await refused(client, 'echo')).toBe(false);
    const text = JSON.stringify({ version: '1', default: 'allow', tools: { echo: 'deny' } });
    writeFileSync(ws.policyFile, text.slice(0, 30));
    await sleep(400);
    writeFileSync(ws.policyFile, text);
    await expect.poll(() => refused(client, 'echo'), { timeout: 5000 }).toBe(true);
    // The half-written file was never read, so it was never reported as broken.
    expect(stderr()).not.toMatch(/policy change ignored/);
  });

  it('follows a symlinked policy: edits to its target and a re-pointed link both apply', async () => {
    const ws = workspace({ version: '1', default: 'allow' }, 'target.json');
    const link = join(ws.dir, 'policy-link.json');
    symlinkSync(ws.policyFile, link);
    const s = await connect({ ...ws, policyFile: link });
    closers.push(() => s.client.close());
    expect(await refused(s.client, 'echo')).toBe(false);
    ws.writePolicy({ version: '1', default: 'allow', tools: { echo: 'deny' } });
    await expect.poll(() => refused(s.client, 'echo'), { timeout: 5000 }).toBe(true);
    // An editor's save elsewhere, then the link pointed at it (an atomic rename of a new link).
    const other = join(ws.dir, 'other.json');
    writeFileSync(other, JSON.stringify({ version: '1', default: 'allow', tools: { read_file: 'deny' } }));
    symlinkSync(other, `${link}.new`);
    renameSync(`${link}.new`, link);
    await expect.poll(() => refused(s.client, 'echo'), { timeout: 5000 }).toBe(false);
    expect(await refused(s.client, 'read_file')).toBe(true);
  });

  it('tells the client its tool list changed when a reload changes what the list shows', async () => {
    const ws = workspace({ version: '1', default: 'deny', tools: { echo: 'allow' } });
    const { client } = await session(ws);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      changes++;
    });
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    // A reload that changes nothing the list shows says nothing.
    ws.writePolicy({ version: '1', default: 'deny', tools: { echo: 'allow', no_such_tool: 'allow' } });
    await sleep(1200);
    expect(changes).toBe(0);
    ws.writePolicy({ version: '1', default: 'deny', tools: { echo: 'allow', read_file: 'allow' } });
    await expect.poll(() => changes, { timeout: 5000 }).toBe(1);
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'read_file']);
  });
});
