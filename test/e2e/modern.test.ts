import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as LegacyTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CreateMessageRequestSchema, ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { guardArgs, type RawGuard, ROOT, spawnGuard, workspace, type Workspace } from './support/guard.js';

// The 2026-07-28 revision through the built CLI: the official SDK v2 client (pinned to that
// revision) against an SDK v2 server whose tools ask for input the multi-round-trip way
// (test/fixtures/modern-server.mjs), and against a tasks-extension server
// (test/fixtures/task-server.mjs); the same scenarios with a 2025-06-18 SDK v1 client still pass.

const MODERN_SERVER = ['node', join(ROOT, 'test/fixtures/modern-server.mjs')];
const TASK_SERVER = ['node', join(ROOT, 'test/fixtures/task-server.mjs')];
const META = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': { elicitation: {}, sampling: {}, extensions: { 'io.modelcontextprotocol/tasks': {} } } };

const closers: Array<() => Promise<void>> = [];
const raws: RawGuard[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c().catch(() => undefined);
  for (const g of raws.splice(0)) {
    g.child.kill('SIGKILL');
    await g.exit;
  }
});

interface Answers {
  sampling?: () => unknown;
  elicitation?: (message: string) => unknown;
}

async function modernClient(ws: Workspace, server: string[], answers: Answers = {}) {
  const client = new Client(
    { name: 'e2e-modern', version: '1.0.0' },
    { capabilities: { sampling: {}, elicitation: {}, roots: {} }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  const asked: string[] = [];
  client.setRequestHandler('sampling/createMessage', async () => answers.sampling?.() ?? { role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'm', stopReason: 'endTurn' });
  client.setRequestHandler('elicitation/create', async (request: { params: { message: string } }) => {
    asked.push(request.params.message);
    return answers.elicitation?.(request.params.message) ?? { action: 'accept', content: {} };
  });
  client.setRequestHandler('roots/list', async () => ({ roots: [{ uri: 'file:///tmp', name: 'tmp' }] }));
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: guardArgs(ws, { server }),
    env: { ...(process.env as Record<string, string>), RECORD_FILE: ws.recordFile },
    stderr: 'pipe',
  });
  await client.connect(transport);
  closers.push(() => client.close());
  return { client, asked };
}

const calls = (ws: Workspace, name?: string) => ws.recorded().filter((m) => m.method === 'tools/call' && (name === undefined || (m.params as { name: string }).name === name));
const guardOf = (decision: unknown) => (decision as { _meta?: Record<string, unknown> })._meta?.['mcp-guard'];

describe('2026-07-28: multi-round-trip requests', () => {
  it('relays a tool call whose input_required asks for something the policy allows, and its retry', async () => {
    const ws = workspace({ version: '1', default: 'deny', tools: { summarise: { rate_limit: '1/hour' } } });
    const { client } = await modernClient(ws, MODERN_SERVER);
    const result = await client.callTool({ name: 'summarise', arguments: {} });
    expect(JSON.stringify(result)).toContain('summary');
    expect(guardOf(result)).toBeUndefined();
    // The first attempt and its retry reached the server; the limit of one per hour was charged once.
    expect(calls(ws, 'summarise')).toHaveLength(2);
    const again = await client.callTool({ name: 'summarise', arguments: {} });
    expect(guardOf(again)).toMatchObject({ decision: 'rate_limited' });
  });

  it.each([
    ['sampling', 'summarise', { 'sampling/createMessage': 'deny' }],
    ['elicitation', 'confirm', { 'elicitation/create': 'deny' }],
    ['roots', 'roots_tool', { 'roots/list': 'deny' }],
  ])('refuses the call when its input_required asks for %s, which the policy denies, and no retry reaches the server', async (_what, tool, methods) => {
    const ws = workspace({ version: '1', default: 'deny', tools: { [tool]: 'allow' }, methods });
    const { client, asked } = await modernClient(ws, MODERN_SERVER);
    const result = await client.callTool({ name: tool, arguments: {} });
    expect(result.isError).toBe(true);
    expect(guardOf(result)).toMatchObject({ decision: 'denied', rule: `methods.${Object.keys(methods)[0]}` });
    expect(asked).toEqual([]);
    expect(calls(ws, tool)).toHaveLength(1);
  });

  it('marks its refusals as the complete result (resultType), as the revision requires', async () => {
    const ws = workspace({ version: '1', default: 'deny' });
    const g = spawnGuard(ws, { server: MODERN_SERVER });
    raws.push(g);
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {}, _meta: META } });
    expect(await g.response(1)).toMatchObject({ result: { resultType: 'complete', isError: true, _meta: { 'mcp-guard': { decision: 'denied' } } } });
  });
});

describe('2026-07-28: approval through an input_required result', () => {
  const askPolicy = { version: '1', default: 'deny', approval: { timeout: 30 }, tools: { echo: { action: 'ask', reason: 'echo needs a person' } } };

  it('asks the client in band; on yes the call is relayed once, without mcp-guard\'s own answer and state', async () => {
    const ws = workspace(askPolicy);
    const { client, asked } = await modernClient(ws, MODERN_SERVER);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    expect(guardOf(result)).toBeUndefined();
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/echo needs a person/);
    const relayed = calls(ws, 'echo');
    expect(relayed).toHaveLength(1);
    expect(JSON.stringify(relayed[0])).not.toMatch(/mcp-guard/);
    expect((relayed[0]!.params as Record<string, unknown>).requestState).toBeUndefined();
  });

  it('refuses on no, and never relays', async () => {
    const ws = workspace(askPolicy);
    const { client } = await modernClient(ws, MODERN_SERVER, { elicitation: () => ({ action: 'decline' }) });
    const result = await client.callTool({ name: 'echo', arguments: {} });
    expect(guardOf(result)).toMatchObject({ decision: 'approval_declined' });
    expect(calls(ws, 'echo')).toHaveLength(0);
  });

  it('refuses a forged, altered, replayed or misapplied requestState', async () => {
    const ws = workspace(askPolicy);
    const g = spawnGuard(ws, { server: MODERN_SERVER });
    raws.push(g);
    const call = (id: number, extra: Record<string, unknown>, args: Record<string, unknown> = { text: 'x' }) =>
      g.send({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: args, _meta: META, ...extra } });
    call(1, {});
    const first = (await g.response(1)) as { result: { resultType: string; requestState: string; inputRequests: Record<string, unknown> } };
    expect(first.result.resultType).toBe('input_required');
    const token = first.result.requestState;
    const yes = { inputResponses: { 'mcp-guard/approval': { action: 'accept', content: {} } } };
    // Forged outright, and altered by one character.
    call(2, { ...yes, requestState: 'mcp-guard.1.eyJkIjoieCJ9.forged' });
    call(3, { ...yes, requestState: `${token.slice(0, -2)}${token.endsWith('A') ? 'B' : 'A'}${token.slice(-1)}` });
    // For other arguments than the ones a person saw.
    call(4, { ...yes, requestState: token }, { text: 'something else' });
    for (const id of [2, 3, 4]) expect(guardOf((await g.response(id)).result)).toMatchObject({ decision: 'denied', rule: 'approval' });
    // The genuine retry goes through once; replaying it is refused.
    call(5, { ...yes, requestState: token });
    expect((await g.response(5)).result).toMatchObject({ content: [{ type: 'text' }] });
    call(6, { ...yes, requestState: token });
    expect(guardOf((await g.response(6)).result)).toMatchObject({ decision: 'denied', rule: 'approval', reason: expect.stringMatching(/used already/) });
    expect(calls(ws, 'echo')).toHaveLength(1);
  });
});

describe('tasks (io.modelcontextprotocol/tasks)', () => {
  function taskGuard(policy: unknown) {
    const ws = workspace(policy);
    const g = spawnGuard(ws, { server: TASK_SERVER });
    raws.push(g);
    let id = 0;
    const request = async (method: string, params: Record<string, unknown>) => {
      const n = ++id;
      g.send({ jsonrpc: '2.0', id: n, method, params: { ...params, _meta: META } });
      return g.response(n) as Promise<{ result?: Record<string, unknown>; error?: { code: number; data?: Record<string, unknown> } }>;
    };
    return { ws, g, request };
  }
  const startJob = async (request: ReturnType<typeof taskGuard>['request'], name: string, args: Record<string, unknown> = {}) => {
    const created = await request('tools/call', { name, arguments: args });
    expect(created.result).toMatchObject({ resultType: 'task', status: 'working' });
    return created.result!.taskId as string;
  };
  /** Polls until a final status, as a client would. */
  const finish = async (request: ReturnType<typeof taskGuard>['request'], taskId: string) => {
    for (;;) {
      const state = await request('tasks/get', { taskId });
      if (state.error || ['completed', 'failed', 'cancelled', 'input_required'].includes(String(state.result?.status))) return state;
    }
  };

  it('judges a task\'s final result like a tool result: a link to a refused resource is withheld', async () => {
    const { request } = taskGuard({ version: '1', default: 'deny', tools: { long_job: 'allow' }, resources: { 'file:///public/**': 'allow' } });
    const taskId = await startJob(request, 'long_job', { link: 'file:///secrets/key.pem' });
    const done = await finish(request, taskId);
    expect(done.result).toMatchObject({ status: 'completed', result: { content: [{ type: 'text', text: 'job done' }, { type: 'text', text: expect.stringMatching(/withheld/) }] } });
    expect(JSON.stringify(done)).not.toContain('key.pem');
  });

  it('refuses a task waiting for input the policy denies', async () => {
    const { request } = taskGuard({ version: '1', default: 'deny', tools: { asking_job: 'allow' }, methods: { 'sampling/createMessage': 'deny' } });
    const taskId = await startJob(request, 'asking_job');
    const state = await finish(request, taskId);
    expect(state.error).toMatchObject({ code: -31403, data: { decision: 'denied', rule: 'methods.sampling/createMessage' } });
  });

  it('lets limits follow the task\'s outcome: a failed task gives its unit back, a completed one keeps it', async () => {
    const { request, ws } = taskGuard({ version: '1', default: 'deny', all_tools: { limits: [{ window: 'hour', max: 2 }] }, tools: { long_job: 'allow', failing_job: 'allow' } });
    expect((await finish(request, await startJob(request, 'failing_job'))).result).toMatchObject({ status: 'failed' });
    expect((await finish(request, await startJob(request, 'long_job'))).result).toMatchObject({ status: 'completed' });
    // Two started, one failed: one unit is left.
    expect((await finish(request, await startJob(request, 'long_job'))).result).toMatchObject({ status: 'completed' });
    const over = await request('tools/call', { name: 'long_job', arguments: {} });
    expect(guardOf(over.result)).toMatchObject({ decision: 'rate_limited' });
    // The audit log has each task's outcome.
    const { readFileSync } = await import('node:fs');
    const outcomes = readFileSync(ws.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { task?: { status: string } }).filter((r) => r.task).map((r) => r.task!.status);
    expect(outcomes.sort()).toEqual(['completed', 'completed', 'failed']);
  });

  it.each(['tasks/get', 'tasks/update', 'tasks/cancel'])('refuses %s for a task id this session did not create, without relaying it', async (method) => {
    const { request, ws } = taskGuard({ version: '1', default: 'deny', tools: { long_job: 'allow' } });
    await startJob(request, 'long_job');
    const foreign = await request(method, { taskId: 'task-999', inputResponses: {} });
    expect(foreign.error).toMatchObject({ code: -31403, data: { decision: 'denied', rule: 'tasks' } });
    expect(ws.recorded().filter((m) => m.method === method)).toEqual([]);
  });
});

describe('2026-07-28: list_changed after a reload', () => {
  it('is sent on the subscription that asked for it, with its id', async () => {
    const ws = workspace({ version: '1', default: 'deny', tools: { echo: 'allow' } });
    const g = spawnGuard(ws, { server: MODERN_SERVER });
    raws.push(g);
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: META } });
    await g.response(1);
    g.send({ jsonrpc: '2.0', id: 'sub', method: 'subscriptions/listen', params: { _meta: META, notifications: { toolsListChanged: true } } });
    ws.writePolicy({ version: '1', default: 'deny', tools: { echo: 'allow', summarise: 'allow' } });
    await expect
      .poll(() => g.lines.find((l) => typeof l === 'object' && l.method === 'notifications/tools/list_changed'), { timeout: 5000 })
      .toMatchObject({ params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'sub' } } });
  });
});

describe('2026-07-28: subscriptions to resources', () => {
  const policy = { version: '1', default: 'allow', pin: 'off', resources: { 'file:///secrets/**': 'deny' } };

  it('a listen that subscribes to a refused resource is refused whole and never reaches the server', async () => {
    const ws = workspace(policy);
    const g = spawnGuard(ws, { server: MODERN_SERVER });
    raws.push(g);
    // The secret is spelled so that only a normalised URI matches the rule.
    g.send({ jsonrpc: '2.0', id: 'sub', method: 'subscriptions/listen', params: { _meta: META, notifications: { resourceSubscriptions: ['file:///public/readme.txt', 'file:///public/../secrets/key.pem'] } } });
    expect(await g.response('sub')).toMatchObject({ error: { data: { decision: 'denied', rule: 'resources.file:///secrets/**' } } });
    g.send({ jsonrpc: '2.0', id: 'bad', method: 'subscriptions/listen', params: { _meta: META, notifications: { resourceSubscriptions: 'file:///secrets/key.pem' } } });
    expect(await g.response('bad')).toMatchObject({ error: { data: { decision: 'invalid_arguments' } } });
    expect(ws.recorded().filter((m) => m.method === 'subscriptions/listen')).toEqual([]);
  });

  it('a listen to allowed resources is relayed, and the server\'s updates reach it', async () => {
    const ws = workspace(policy);
    const g = spawnGuard(ws, { server: MODERN_SERVER });
    raws.push(g);
    g.send({ jsonrpc: '2.0', id: 'sub', method: 'subscriptions/listen', params: { _meta: META, notifications: { resourceSubscriptions: ['file:///public/readme.txt'] } } });
    await expect.poll(() => ws.recorded().filter((m) => m.method === 'subscriptions/listen').length, { timeout: 5000 }).toBe(1);
    g.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { _meta: META, name: 'touch', arguments: { uri: 'file:///public/readme.txt' } } });
    await g.response(2);
    await expect
      .poll(() => g.lines.find((l) => typeof l === 'object' && l.method === 'notifications/resources/updated'), { timeout: 5000 })
      .toMatchObject({ params: { uri: 'file:///public/readme.txt' } });
  });
});

describe('the same scenarios with a 2025-06-18 SDK v1 client', () => {
  async function legacyClient(ws: Workspace, server: string[]) {
    const transport = new LegacyTransport({ command: process.execPath, args: guardArgs(ws, { server }), env: { ...(process.env as Record<string, string>), RECORD_FILE: ws.recordFile }, stderr: 'pipe' });
    const client = new LegacyClient({ name: 'e2e-legacy', version: '1.0.0' }, { capabilities: { sampling: {}, elicitation: {} } });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled' }, model: 'm', stopReason: 'endTurn' }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
    await client.connect(transport);
    closers.push(() => client.close());
    return client;
  }

  it('calls, refusals (without resultType) and approval by elicitation work as before', async () => {
    const ws = workspace({ version: '1', default: 'deny', approval: { timeout: 30 }, tools: { echo: 'allow', confirm: { action: 'ask' } } });
    const client = await legacyClient(ws, MODERN_SERVER);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'x' } })).isError).toBeFalsy();
    const refused = await client.callTool({ name: 'summarise', arguments: {} });
    expect(refused._meta?.['mcp-guard']).toMatchObject({ decision: 'denied' });
    expect((refused as Record<string, unknown>).resultType).toBeUndefined();
    const asked = await client.callTool({ name: 'confirm', arguments: {} });
    expect(asked._meta?.['mcp-guard']).toBeUndefined();
    expect(calls(ws, 'confirm')).toHaveLength(1);
  });
});
