import { afterEach, describe, expect, it } from 'vitest';
import { CreateMessageRequestSchema, ElicitRequestSchema, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { connect, EVERYTHING, workspace } from './support/guard.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function everything(policy: unknown) {
  const ws = workspace(policy);
  const s = await connect(ws, { server: ['node', EVERYTHING], capabilities: { sampling: {}, elicitation: {} } });
  closers.push(() => s.client.close());
  return s;
}

describe('server-everything through an allow-all policy', () => {
  it('tools, resources, prompts, progress, sampling and elicitation all still work', async () => {
    const { client } = await everything({ version: '1', default: 'allow' });
    client.setRequestHandler(CreateMessageRequestSchema, async () => ({ role: 'assistant', content: { type: 'text', text: 'sampled-reply' }, model: 'test-model' }));
    client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: {} }));
    let listChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      listChanged++;
    });

    const echo = await client.callTool({ name: 'echo', arguments: { message: 'hello through the guard' } });
    expect(JSON.stringify(echo.content)).toContain('hello through the guard');

    const resources = await client.listResources();
    expect(resources.resources.length).toBeGreaterThan(0);
    const read = await client.readResource({ uri: resources.resources[0]!.uri });
    expect(read.contents.length).toBeGreaterThan(0);

    const prompts = await client.listPrompts();
    expect(prompts.prompts.map((p) => p.name)).toContain('simple-prompt');
    expect((await client.getPrompt({ name: 'simple-prompt' })).messages.length).toBeGreaterThan(0);

    const progress: number[] = [];
    await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, undefined, {
      onprogress: (p) => progress.push(p.progress),
    });
    expect(progress.length).toBeGreaterThanOrEqual(2);

    // Sampling and elicitation tools are registered once the client's capabilities are known.
    await expect.poll(async () => (await client.listTools()).tools.map((t) => t.name), { timeout: 5000 }).toContain('trigger-sampling-request');
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi', maxTokens: 5 } });
    expect(JSON.stringify(sampled.content)).toContain('sampled-reply');
    const tools = (await client.listTools()).tools.map((t) => t.name);
    if (tools.includes('trigger-elicitation-request')) {
      const elicited = await client.callTool({ name: 'trigger-elicitation-request', arguments: {} });
      expect(JSON.stringify(elicited.content)).toMatch(/accept/i);
    }
    expect(listChanged).toBeGreaterThanOrEqual(0);
  });

  it('filters and refuses by policy against a real server', async () => {
    const { client } = await everything({ version: '1', default: 'deny', tools: { echo: 'allow', 'get-*': 'allow', 'get-env': 'deny' }, prompts: { '*': 'allow' } });
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toContain('echo');
    expect(names).toContain('get-sum');
    expect(names).toContain('get-env');
    expect(names).not.toContain('trigger-long-running-operation');
    const env = await client.callTool({ name: 'get-env', arguments: {} });
    expect(env._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.get-env' });
    const sum = await client.callTool({ name: 'get-sum', arguments: { a: 1, b: 2 } });
    expect(JSON.stringify(sum.content)).toContain('3');
  });
});
