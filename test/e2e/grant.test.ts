import { describe, expect, it } from 'vitest';
import { connect, workspace } from './support/guard.js';

describe('grant counters', () => {
  const policy = { version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 6, scope: 'grant' }] } } };

  it('survive a restart: a new session sees the previous one\'s calls', async () => {
    const ws = workspace(policy);
    const first = await connect(ws);
    for (let i = 0; i < 4; i++) expect((await first.client.callTool({ name: 'python_venv', arguments: {} })).isError).toBeFalsy();
    await first.client.close();
    const second = await connect(ws);
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await second.client.callTool({ name: 'python_venv', arguments: {} }))._meta?.['mcp-guard']);
    await second.client.close();
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(results.filter((r) => (r as { decision?: string })?.decision === 'rate_limited')).toHaveLength(2);
  });

  it('are never overspent by two processes calling at once', async () => {
    const ws = workspace({ ...policy, tools: { python_venv: { limits: [{ counter: 'shared', window: 'hour', max: 25, scope: 'grant' }] } } });
    const a = await connect(ws);
    const b = await connect(ws);
    const fire = (c: typeof a) => Promise.all(Array.from({ length: 30 }, () => c.client.callTool({ name: 'python_venv', arguments: {} })));
    const [ra, rb] = await Promise.all([fire(a), fire(b)]);
    await a.client.close();
    await b.client.close();
    const allowed = [...ra, ...rb].filter((r) => !r.isError).length;
    expect(allowed).toBe(25);
    expect(ws.recorded().filter((m) => m.method === 'tools/call')).toHaveLength(25);
  });

  it('fail closed when the state database cannot be opened', async () => {
    // pin: "off": pinning, which needs the store too, would refuse first (as unpinned); this is about the limit.
    const ws = workspace({ ...policy, pin: 'off' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ws.stateDir, 'a file where the state directory should be');
    const s = await connect(ws);
    const r = await s.client.callTool({ name: 'python_venv', arguments: {} });
    await s.client.close();
    expect(r.isError).toBe(true);
    expect(r._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.python_venv.limits[0]' });
    expect(ws.recorded().filter((m) => m.method === 'tools/call')).toHaveLength(0);
  });
});
