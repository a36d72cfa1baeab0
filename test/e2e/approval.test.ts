import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { BIN, connect, workspace } from './support/guard.js';

const policy = (timeout = 20) => ({
  version: '1',
  default: 'allow',
  approval: { timeout },
  tools: { delete_file: { action: 'ask', reason: 'deleting needs a person', limits: [{ window: 'minute', max: 5 }] } },
});

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function withElicitation(answer: (message: string) => Promise<{ action: 'accept' | 'decline' | 'cancel' }>, timeout = 20) {
  const ws = workspace(policy(timeout));
  const s = await connect(ws, { capabilities: { elicitation: {} } });
  closers.push(() => s.client.close());
  const asked: string[] = [];
  s.client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    return answer(request.params.message);
  });
  return { ws, asked, ...s };
}

const deletes = (ws: ReturnType<typeof workspace>) => ws.recorded().filter((m) => m.method === 'tools/call' && (m.params as { name: string }).name === 'delete_file');

describe('approval by elicitation', () => {
  it('relays the call when the person accepts', async () => {
    const { client, ws, asked } = await withElicitation(async () => ({ action: 'accept' }));
    const r = await client.callTool({ name: 'delete_file', arguments: { path: '/tmp/x' } });
    expect(r.isError).toBeFalsy();
    expect(asked[0]).toMatch(/delete_file/);
    expect(asked[0]).toMatch(/deleting needs a person/);
    expect(deletes(ws)).toHaveLength(1);
    // mcp-guard's own request and its answer never reach the server.
    expect(ws.recorded().some((m) => typeof m.id === 'string' && m.id.startsWith('mcp-guard'))).toBe(false);
  });

  it.each(['decline', 'cancel'] as const)('refuses the call on %s and never relays it', async (action) => {
    const { client, ws } = await withElicitation(async () => ({ action }));
    const r = await client.callTool({ name: 'delete_file', arguments: { path: '/tmp/x' } });
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_declined', rule: 'tools.delete_file' });
    expect(deletes(ws)).toHaveLength(0);
  });

  it('refuses with approval_timeout when nobody answers', async () => {
    const { client, ws } = await withElicitation(() => new Promise(() => undefined), 1);
    const r = await client.callTool({ name: 'delete_file', arguments: { path: '/tmp/x' } });
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_timeout' });
    expect(deletes(ws)).toHaveLength(0);
  });
});

describe('approval from a terminal (client without elicitation)', () => {
  function cli(ws: ReturnType<typeof workspace>, ...args: string[]) {
    return spawnSync(process.execPath, [BIN, ...args, '--state-dir', ws.stateDir], { encoding: 'utf8' });
  }

  it('waits as a pending approval that a second process approves', async () => {
    const ws = workspace(policy());
    const s = await connect(ws);
    closers.push(() => s.client.close());
    const call = s.client.callTool({ name: 'delete_file', arguments: { path: '/tmp/y' } });
    let pending: Array<{ id: string; tool: string; arguments: unknown; rule: string; reason: string }> = [];
    await expect
      .poll(() => {
        pending = JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]');
        return pending.length;
      }, { timeout: 10_000 })
      .toBe(1);
    expect(pending[0]).toMatchObject({ tool: 'delete_file', arguments: { path: '/tmp/y' }, rule: 'tools.delete_file', reason: 'deleting needs a person' });
    await expect.poll(() => s.stderr(), { timeout: 5000 }).toMatch(new RegExp(`mcp-guard approve ${pending[0]!.id}`));
    expect(deletes(ws)).toHaveLength(0);
    const approved = cli(ws, 'approve', pending[0]!.id);
    expect(approved.status).toBe(0);
    expect((await call).isError).toBeFalsy();
    expect(deletes(ws)).toHaveLength(1);
    // Already answered: exit 1.
    expect(cli(ws, 'approve', pending[0]!.id).status).toBe(1);
  });

  it('refuses when a second process denies, and a cancellation ends the wait without relaying', async () => {
    const ws = workspace(policy());
    const s = await connect(ws);
    closers.push(() => s.client.close());
    const call = s.client.callTool({ name: 'delete_file', arguments: { path: '/tmp/z' } });
    let id = '';
    await expect.poll(() => (id = (JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]')[0] ?? { id: '' }).id), { timeout: 10_000 }).not.toBe('');
    expect(cli(ws, 'deny', id).status).toBe(0);
    expect((await call)._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_declined' });

    const controller = new AbortController();
    const cancelled = s.client.callTool({ name: 'delete_file', arguments: { path: '/tmp/w' } }, undefined, { signal: controller.signal });
    await expect.poll(() => JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]').length, { timeout: 10_000 }).toBe(1);
    controller.abort();
    await expect(cancelled).rejects.toThrow();
    await expect.poll(() => JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]').length, { timeout: 10_000 }).toBe(0);
    expect(deletes(ws)).toHaveLength(0);
    expect(cli(ws, 'deny', 'nope1234').status).toBe(1);
  });
});

describe('who may answer (approval.via)', () => {
  function cli(ws: ReturnType<typeof workspace>, ...args: string[]) {
    return spawnSync(process.execPath, [BIN, ...args, '--state-dir', ws.stateDir], { encoding: 'utf8' });
  }

  it('"terminal": a client that could ask (and would accept) is not asked; a person at a terminal is', async () => {
    const ws = workspace({ ...policy(), tools: { delete_file: { action: 'ask', approval: { via: 'terminal' } } } });
    const s = await connect(ws, { capabilities: { elicitation: {} } });
    closers.push(() => s.client.close());
    let asked = 0;
    s.client.setRequestHandler(ElicitRequestSchema, async () => {
      asked++;
      return { action: 'accept' };
    });
    const call = s.client.callTool({ name: 'delete_file', arguments: { path: '/tmp/t' } });
    let id = '';
    await expect.poll(() => (id = (JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]')[0] ?? { id: '' }).id), { timeout: 10_000 }).not.toBe('');
    expect(deletes(ws)).toHaveLength(0);
    expect(cli(ws, 'approve', id).status).toBe(0);
    expect((await call).isError).toBeFalsy();
    expect(asked).toBe(0);
    expect(deletes(ws)).toHaveLength(1);
  });

  it('"client": a client that cannot ask gets approval_unavailable at once, and nothing waits at a terminal', async () => {
    const ws = workspace({ ...policy(), approval: { timeout: 20, via: 'client' } });
    const s = await connect(ws);
    closers.push(() => s.client.close());
    const r = await s.client.callTool({ name: 'delete_file', arguments: { path: '/tmp/c' } });
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_unavailable', rule: 'tools.delete_file' });
    expect(JSON.parse(cli(ws, 'approvals', '--json').stdout || '[]')).toEqual([]);
    expect(deletes(ws)).toHaveLength(0);
  });
});

describe('after the yes', () => {
  it('judges the arguments again: a directory swapped for a symlink while the call waited is refused', async () => {
    const { mkdirSync, mkdtempSync, rmSync, symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'mcp-guard-swap-'));
    mkdirSync(join(root, 'allowed', 'project'), { recursive: true });
    const ws = workspace({
      version: '1',
      default: 'deny',
      approval: { timeout: 20 },
      tools: {
        delete_file: {
          action: 'ask',
          args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': [join(root, 'allowed')] } }, required: ['path'], additionalProperties: false },
        },
      },
    });
    let release: () => void = () => undefined;
    const decided = new Promise<void>((r) => (release = r));
    const s = await connect(ws, { capabilities: { elicitation: {} } });
    closers.push(() => s.client.close());
    s.client.setRequestHandler(ElicitRequestSchema, async () => {
      // While the person reads the request, the agent's other tool swaps the directory for a link out.
      rmSync(join(root, 'allowed', 'project'), { recursive: true });
      symlinkSync('/etc', join(root, 'allowed', 'project'));
      release();
      return { action: 'accept' };
    });
    const r = await s.client.callTool({ name: 'delete_file', arguments: { path: join(root, 'allowed', 'project', 'passwd') } });
    await decided;
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'invalid_arguments', rule: 'tools.delete_file.args' });
    expect(deletes(ws)).toHaveLength(0);
  });
});
