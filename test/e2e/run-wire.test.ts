import { afterEach, describe, expect, it } from 'vitest';
import { INIT, type RawGuard, spawnGuard, workspace } from './support/guard.js';

const running: RawGuard[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) {
    g.child.kill('SIGKILL');
    await g.exit;
  }
});

function guard(policy: unknown, o: Parameters<typeof spawnGuard>[1] = {}) {
  const ws = workspace(policy);
  const g = spawnGuard(ws, o);
  running.push(g);
  return { ws, g };
}

const allowAll = { version: '1', default: 'allow', tools: { shell_exec: 'deny' } };
const call = (id: unknown, name: string, extra = '') => `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"method":"tools/call","params":{"name":"${name}","arguments":{}${extra}}}`;

describe('run: the wire', () => {
  it('answers a line that is not JSON with -32700 and relays nothing', async () => {
    const { g, ws } = guard(allowAll);
    g.send('this is not json', '{"jsonrpc":"2.0","id":1,"method":"ping",}');
    const lines = await g.waitFor(2);
    expect(lines).toEqual([
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) }),
      expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) }),
    ]);
    g.send(INIT);
    await g.response(0);
    expect(ws.recorded().map((m) => m.method)).toEqual(['initialize']);
  });

  it('answers JSON that is not JSON-RPC with -32600 and the id it could read', async () => {
    const { g, ws } = guard(allowAll);
    g.send({ jsonrpc: '1.0', id: 7, method: 'ping' }, { id: 8, method: 'ping' }, '42');
    expect(await g.response(7)).toMatchObject({ error: { code: -32600 } });
    expect(await g.response(8)).toMatchObject({ error: { code: -32600 } });
    expect(await g.response(null)).toMatchObject({ error: { code: -32600 } });
    expect(ws.recorded()).toEqual([]);
  });

  it('refuses a message with a duplicate key, whichever copy a parser would keep', async () => {
    const { g, ws } = guard(allowAll);
    g.send(INIT);
    await g.response(0);
    g.send(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name":"shell_exec"}}`);
    g.send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"shell_exec","\\u006eame":"echo"}}`);
    expect(await g.response(1)).toMatchObject({ error: { code: -32600 } });
    expect(await g.response(2)).toMatchObject({ error: { code: -32600 } });
    expect(ws.recorded().filter((m) => m.method === 'tools/call')).toEqual([]);
  });

  it('relays the exact bytes it judged (numbers keep every digit)', async () => {
    const { g, ws } = guard(allowAll);
    const line = `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"n":12345678901234567890123,"f":1.000000000000000000001}}}`;
    g.send(line);
    await g.response(3);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(ws.recordFile, 'utf8')).toBe(`${line}\n`);
  });

  it('judges a batch element by element: relays the allowed ones as their own text, answers the rest', async () => {
    const { g, ws } = guard(allowAll);
    g.send(`[${call(1, 'echo')}, ${call(2, 'shell_exec')} ,{"jsonrpc":"2.0","method":"tools/call","params":{"name":"shell_exec"}},${call(3, 'echo')}]`);
    const refused = (await g.waitFor(1))[0] as unknown as Array<Record<string, unknown>>;
    expect(Array.isArray(refused)).toBe(true);
    expect(refused).toEqual([expect.objectContaining({ id: 2, result: expect.objectContaining({ isError: true }) })]);
    await expect.poll(() => ws.recorded().length).toBe(1);
    const relayed = ws.recorded()[0] as unknown as Array<Record<string, unknown>>;
    expect(relayed.map((m) => m.id)).toEqual([1, 3]);
  });

  it('drops a notification that would be refused as a request', async () => {
    const { g, ws } = guard(allowAll);
    g.send({ jsonrpc: '2.0', method: 'tools/call', params: { name: 'shell_exec' } }, { jsonrpc: '2.0', method: 'tools/call', params: { name: 'echo' } }, INIT);
    await g.response(0);
    expect(ws.recorded().map((m) => [m.method, (m.params as { name?: string })?.name])).toEqual([
      ['tools/call', 'echo'],
      ['initialize', undefined],
    ]);
  });

  it('keeps non-JSON server output off stdout and reports it on stderr', async () => {
    const { g } = guard(allowAll, { mode: 'banner' });
    g.send(INIT, call(1, 'echo'));
    await g.response(1);
    expect(g.lines.every((l) => typeof l === 'object')).toBe(true);
    expect(g.stderr).toMatch(/mcp-guard: dropped a line from the server that is not JSON: info: echo fixture starting up/);
  });

  it('refuses a line over --max-message-bytes with -32600 and carries on', async () => {
    const { g, ws } = guard(allowAll, { extraArgs: ['--max-message-bytes', '1000'] });
    g.send(call(1, 'echo', `,"pad":"${'x'.repeat(2000)}"`), call(2, 'echo'));
    expect(await g.response(null)).toMatchObject({ error: { code: -32600 } });
    await g.response(2);
    expect(ws.recorded().map((m) => m.id)).toEqual([2]);
  });

  it('refuses a request reusing the id of one still in flight', async () => {
    const { g } = guard(allowAll);
    g.send(call(5, 'hang'), call(5, 'echo'));
    expect(await g.response(5)).toMatchObject({ error: { code: -32600 } });
  });

  it('works with no initialize at all, and relays methods it does not know', async () => {
    const { g, ws } = guard(allowAll);
    g.send({ jsonrpc: '2.0', id: 'a', method: 'server/discover', params: { _meta: { protocolVersion: '2026-07-28' } } }, call('b', 'echo'));
    expect(await g.response('a')).toMatchObject({ error: { code: -32601 } });
    expect(await g.response('b')).toMatchObject({ result: { content: [expect.anything()] } });
    expect(ws.recorded().map((m) => m.method)).toEqual(['server/discover', 'tools/call']);
  });

  it('answers a refused server→client request to the server, never to the client', async () => {
    const { g, ws } = guard({ version: '1', default: 'allow', methods: { 'sampling/createMessage': 'deny' } });
    g.send(INIT, call(1, 'ask_sampling'));
    await expect.poll(() => ws.recorded().filter((m) => m.id === 'srv-1').length).toBe(1);
    const answer = ws.recorded().find((m) => m.id === 'srv-1');
    expect(answer).toMatchObject({ error: { code: -31403, data: { decision: 'denied', rule: 'methods.sampling/createMessage' } } });
    expect(g.lines.some((l) => typeof l === 'object' && l.method === 'sampling/createMessage')).toBe(false);
  });

  it('reports refusals on stderr (each allowed call too with --verbose, nothing with --quiet)', async () => {
    const loud = guard(allowAll, { extraArgs: ['--verbose'] }).g;
    loud.send(call(1, 'shell_exec'), call(2, 'echo'));
    await loud.response(1);
    await loud.response(2);
    await expect.poll(() => loud.stderr).toMatch(/mcp-guard: refused tools\/call "shell_exec" \(client→server\): denied by tools.shell_exec/);
    expect(loud.stderr).toMatch(/mcp-guard: allowed tools\/call "echo" \(client→server\) by default/);
    const quiet = guard(allowAll, { extraArgs: ['--quiet'] }).g;
    quiet.send(call(1, 'shell_exec'));
    await quiet.response(1);
    await quiet.close();
    expect(quiet.stderr).toBe('');
  });

  it('keeps a cancelled request\'s id in use until the server answers it, and drops the late answer without a refund', async () => {
    const { g, ws } = guard({ version: '1', default: 'allow', tools: { error: { rate_limit: '1/hour' } } });
    const cancel = (id: number) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason: 'user' } });
    // The late answer is a JSON-RPC error: were it matched to the new request it would refund it.
    g.send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'error', arguments: { delayMs: 300 } } }, cancel(9), call(9, 'echo'));
    expect(await g.response(9)).toMatchObject({ error: { code: -32600, message: expect.stringMatching(/already used/) } });
    await new Promise((r) => setTimeout(r, 600));
    // The late answer reached nobody, and gave back nothing: the limit is still spent.
    expect(g.lines.filter((l) => typeof l === 'object' && l.id === 9)).toHaveLength(1);
    g.send(call(10, 'error'));
    expect(await g.response(10)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'rate_limited' } } } });
    // Once answered, the id is free again.
    g.send(call(9, 'echo'));
    await expect.poll(() => g.lines.filter((l) => typeof l === 'object' && l.id === 9 && 'result' in l).length).toBe(1);
    expect(ws.recorded().filter((m) => m.method === 'tools/call').map((m) => (m.params as { name: string }).name)).toEqual(['error', 'echo']);
  });

  it('answers a request waiting for approval when the server exits', async () => {
    const { g, ws } = guard({ version: '1', default: 'allow', tools: { delete_file: 'ask' } });
    g.send(call(1, 'delete_file'));
    await expect.poll(() => g.stderr, { timeout: 5000 }).toMatch(/approval needed/);
    g.send(call(2, 'exit'));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/exited with code 7 while this request waited for approval/) } });
    expect(await g.response(2)).toMatchObject({ error: { code: -32603 } });
    expect((await g.exit).code).toBe(7);
    expect(ws.recorded().filter((m) => (m.params as { name?: string })?.name === 'delete_file')).toEqual([]);
  });
});
