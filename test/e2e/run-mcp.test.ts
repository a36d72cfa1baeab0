import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { connect, workspace } from './support/guard.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function session(policy: unknown, o: Parameters<typeof connect>[1] = {}) {
  const ws = workspace(policy);
  const s = await connect(ws, o);
  closers.push(() => s.client.close());
  return { ws, ...s };
}

const calls = (ws: ReturnType<typeof workspace>) => ws.recorded().filter((m) => m.method === 'tools/call').map((m) => (m.params as { name: string }).name);

describe('run: the seed policy through a real MCP client', () => {
  const seed = { version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] } } };

  it('lists only the allowed tool, relays its calls, and refuses everything else without relaying it', async () => {
    const { client, ws } = await session(seed);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['python_venv']);

    const ok = await client.callTool({ name: 'python_venv', arguments: { action: 'list' } });
    expect(ok.isError).toBeFalsy();

    const refused = await client.callTool({ name: 'shell_exec', arguments: { cmd: 'rm -rf /' } });
    expect(refused.isError).toBe(true);
    expect(refused._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'default' });
    expect((refused.content as Array<{ text: string }>)[0]!.text).toMatch(/^mcp-guard: .*shell_exec/);
    expect(calls(ws)).toEqual(['python_venv']);
  });

  it('allows ten calls a minute on the grant counter, then refuses with retryAfterSeconds', async () => {
    const { client, ws } = await session(seed);
    for (let i = 0; i < 10; i++) expect((await client.callTool({ name: 'python_venv', arguments: {} })).isError).toBeFalsy();
    const eleventh = await client.callTool({ name: 'python_venv', arguments: {} });
    expect(eleventh._meta?.['mcp-guard']).toMatchObject({ decision: 'rate_limited', rule: 'tools.python_venv.limits[0]' });
    expect((eleventh._meta?.['mcp-guard'] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(calls(ws)).toHaveLength(10);
  });
});

describe('run: conditions and refusals', () => {
  const policy = {
    version: '1',
    default: 'allow',
    hide: ['delete_file'],
    tools: {
      read_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': ['/tmp/allowed'] } }, required: ['path'] } },
      shell_exec: { action: 'deny', reason: 'no shell from agents' },
      create_charge: { limits: [{ window: 'day', max: 100, increment_from: 'amount' }] },
      fail: { rate_limit: '1/minute' },
      python_venv: { rules: [{ when: { properties: { action: { const: 'delete' } }, required: ['action'] }, action: 'deny', reason: 'deleting is for people' }] },
    },
    resources: { 'file:///secrets/**': 'deny' },
    prompts: { internal_debug: 'hide' },
  };

  it('refuses bad arguments with a message naming the property, and never relays them', async () => {
    const { client, ws } = await session(policy);
    const r = await client.callTool({ name: 'read_file', arguments: { path: '/tmp/allowed/../../etc/passwd' } });
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'invalid_arguments', rule: 'tools.read_file.args' });
    expect((r.content as Array<{ text: string }>)[0]!.text).toMatch(/path/);
    expect((await client.callTool({ name: 'read_file', arguments: { path: '/tmp/allowed/x' } })).isError).toBeFalsy();
    expect(calls(ws)).toEqual(['read_file']);
  });

  it('hides tools from the list and refuses them; denied tools stay listed but refused with the reason', async () => {
    const { client } = await session(policy);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).not.toContain('delete_file');
    expect(names).toContain('shell_exec');
    const r = await client.callTool({ name: 'shell_exec', arguments: {} });
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.shell_exec', reason: 'no shell from agents' });
    expect((await client.callTool({ name: 'delete_file', arguments: { path: '/x' } }))._meta?.['mcp-guard']).toMatchObject({ rule: 'hide' });
  });

  it('applies the first matching rule', async () => {
    const { client } = await session(policy);
    expect((await client.callTool({ name: 'python_venv', arguments: { action: 'delete' } }))._meta?.['mcp-guard']).toMatchObject({ rule: 'tools.python_venv.rules[0]' });
    expect((await client.callTool({ name: 'python_venv', arguments: { action: 'create' } })).isError).toBeFalsy();
  });

  it('caps spend by increment_from; a JSON-RPC error gives back what the call took, a failed tool result does not', async () => {
    const { client, ws } = await session(policy);
    expect((await client.callTool({ name: 'create_charge', arguments: { amount: 60 } })).isError).toBeFalsy();
    const over = await client.callTool({ name: 'create_charge', arguments: { amount: 50 } });
    expect(over._meta?.['mcp-guard']).toMatchObject({ decision: 'rate_limited' });
    expect((await client.callTool({ name: 'create_charge', arguments: { amount: 40 } })).isError).toBeFalsy();
    // `error` answers with a JSON-RPC error (the server did not run it): its unit comes back each time.
    for (let i = 0; i < 3; i++) await expect(client.callTool({ name: 'error', arguments: {} })).rejects.toThrow(/tool blew up/);
    // `fail` answers isError: a tool can fail after its side effect, so its unit is kept.
    expect((await client.callTool({ name: 'fail', arguments: {} }))._meta?.['mcp-guard']).toBeUndefined();
    expect((await client.callTool({ name: 'fail', arguments: {} }))._meta?.['mcp-guard']).toMatchObject({ decision: 'rate_limited' });
    expect(calls(ws).filter((n) => n === 'error')).toHaveLength(3);
    expect(calls(ws).filter((n) => n === 'fail')).toHaveLength(1);
  });

  it('filters resources and prompts and refuses denied ones with -31403', async () => {
    const { client } = await session(policy);
    expect((await client.listResources()).resources.map((r) => r.uri)).toEqual(['file:///public/readme.txt']);
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toEqual(['greet']);
    await expect(client.readResource({ uri: 'file:///secrets/key.pem' })).rejects.toSatisfy(
      (e: unknown) => e instanceof McpError && e.code === -31403 && (e.data as { rule: string }).rule === 'resources.file:///secrets/**',
    );
    expect((await client.readResource({ uri: 'file:///public/readme.txt' })).contents).toHaveLength(1);
  });

  it('records every decision in the audit log', async () => {
    const { client, ws } = await session(policy);
    await client.callTool({ name: 'shell_exec', arguments: { cmd: 'x' } });
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    await client.close();
    const lines = readFileSync(ws.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ direction: 'client→server', method: 'tools/call', tool: 'shell_exec', decision: 'denied', rule: 'tools.shell_exec', dryRun: false }),
        expect.objectContaining({ method: 'tools/call', tool: 'echo', decision: 'allowed', rule: 'default' }),
      ]),
    );
    expect(lines.every((l) => typeof l.time === 'string' && typeof l.session === 'string' && !('arguments' in l))).toBe(true);
  });

  it('in dry-run mode relays what it would refuse, and logs it as refused', async () => {
    const { client, ws } = await session(policy, { extraArgs: ['--dry-run'] });
    expect((await client.callTool({ name: 'shell_exec', arguments: {} })).isError).toBeFalsy();
    await client.close();
    expect(calls(ws)).toEqual(['shell_exec']);
    const lines = readFileSync(ws.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ tool: 'shell_exec', decision: 'denied', dryRun: true }));
  });
});

describe('run: hot reload', () => {
  it('applies a valid change to the next call and ignores an invalid one', async () => {
    const { client, ws, stderr } = await session({ version: '1', default: 'allow' });
    expect((await client.callTool({ name: 'echo', arguments: {} })).isError).toBeFalsy();
    ws.writePolicy({ version: '1', default: 'allow', tools: { echo: 'deny' } });
    await expect.poll(async () => (await client.callTool({ name: 'echo', arguments: {} })).isError, { timeout: 5000 }).toBe(true);
    ws.writePolicy({ version: '1', default: 'allow', tools: { echo: { action: 'allow', windw: 'minute' } } });
    await expect.poll(() => stderr(), { timeout: 5000 }).toMatch(/policy change ignored/);
    expect((await client.callTool({ name: 'echo', arguments: {} })).isError).toBe(true);
  });
});
