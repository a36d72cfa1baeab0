import { afterEach, describe, expect, it } from 'vitest';
import { connect, workspace } from './support/guard.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function session(policy: unknown, mode = '') {
  const ws = workspace(policy);
  const s = await connect(ws, { mode });
  closers.push(() => s.client.close());
  return { ws, ...s };
}

const MiB = 1024 * 1024;

describe('run: large server messages', () => {
  it('relays a multi-MiB result intact, byte for byte', async () => {
    const { client } = await session({ version: '1', default: 'allow' });
    for (const size of [300 * 1024, 3 * MiB]) {
      const r = await client.callTool({ name: 'blob', arguments: { size } });
      expect(((r.content as Array<{ text: string }>)[0]!.text)).toBe('x'.repeat(size));
    }
  });

  it('gives back what a call answered with a long JSON-RPC error took, and keeps what a long failed result took', async () => {
    const { client, ws } = await session({ version: '1', default: 'allow', tools: { blob: { rate_limit: '1/hour' } } });
    for (let i = 0; i < 3; i++) await expect(client.callTool({ name: 'blob', arguments: { size: MiB, rpcError: true } })).rejects.toThrow(/xxxx/);
    // A tool result with isError keeps its unit: the tool may have acted before it failed.
    expect((await client.callTool({ name: 'blob', arguments: { size: MiB, isError: true } })).isError).toBe(true);
    const limited = await client.callTool({ name: 'blob', arguments: { size: 10 } });
    expect(limited._meta?.['mcp-guard']).toMatchObject({ decision: 'rate_limited' });
    expect(ws.recorded().filter((m) => m.method === 'tools/call')).toHaveLength(4);
  });

  it('still filters a list result too long to hold in one chunk', async () => {
    const { client } = await session({ version: '1', default: 'allow', hide: ['shell_exec'] }, 'huge-list');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names).not.toContain('shell_exec');
  });
});
