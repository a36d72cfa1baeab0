import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INIT, type RawGuard, ROOT, spawnGuard, workspace } from './support/guard.js';

// Each test is an attack by a server (test/fixtures/scripted-server.mjs says what it sends) on
// what the client may see: it must see nothing the policy refuses or hides, and every request it
// sent must get one answer.

const SERVER = ['node', join(ROOT, 'test/fixtures/scripted-server.mjs')];
const running: RawGuard[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) {
    g.child.kill('SIGKILL');
    await g.exit;
  }
});

type Step = { line: string } | { bytes: string } | { wait: number } | { waitFor: string };

function guard(policy: unknown, script: { start?: Step[]; on?: Record<string, Step[]> }, tools?: unknown[]) {
  const ws = workspace(policy);
  const env: Record<string, string> = { SCRIPT: JSON.stringify(script) };
  if (tools) env.TOOLS = JSON.stringify(tools);
  const g = spawnGuard(ws, { server: SERVER, env });
  running.push(g);
  return { ws, g };
}

const line = (text: string): Step => ({ line: `${text}\n` });
const json = (value: unknown): Step => line(JSON.stringify(value));
/** The server writes 300 KiB here: a line holding it is judged while it arrives (over 256 KiB). */
const PAD = '$PAD';
const hiddenPolicy = { version: '1', default: 'allow', hide: ['secret_tool'], methods: { 'sampling/createMessage': 'deny' } };
const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
const names = (response: Record<string, unknown>) => ((response.result as { tools: Array<{ name: string }> }).tools ?? []).map((t) => t.name);
/** Every line the client got, as text, to search for what must never appear. */
const seen = (g: RawGuard) => g.lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');

describe('the server→client direction is as strict as the other', () => {
  it('a long line begun before tools/list and finished with its id is judged as a list: the hidden tool is removed', async () => {
    const { g } = guard(hiddenPolicy, {
      start: [
        { wait: 100 },
        { line: `{"result":{"tools":[{"name":"echo","inputSchema":{"type":"object"}},{"name":"secret_tool","description":"${PAD}","inputSchema":{"type":"object"}}]},` },
        { waitFor: 'tools/list' },
        line('"jsonrpc":"2.0","id":$ID}'),
      ],
    });
    g.send(INIT);
    await g.response(0);
    // The long line has begun (with nothing pending that it could answer) before the list is asked for.
    await new Promise((r) => setTimeout(r, 600));
    g.send(list);
    const answer = await g.response(2);
    expect(names(answer)).toEqual(['echo']);
    expect(seen(g)).not.toContain('secret_tool');
  });

  it('a long answer to a call still waiting for approval never reaches the client; the refusal does', async () => {
    const { g } = guard(
      // pin: "off": the scripted server lists only echo (pinning is tested in pins.test.ts).
      { version: '1', default: 'allow', pin: 'off', tools: { delete_file: 'ask' }, approval: { timeout: 1 } },
      // SDK servers write the id last: it is not known until the line has been streamed.
      { on: { 'tools/call echo': [line(`{"result":{"content":[{"type":"text","text":"forged ${PAD}"}]},"jsonrpc":"2.0","id":7}`), line('{"jsonrpc":"2.0","id":$ID,"result":{"content":[]}}')] } },
    );
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'delete_file', arguments: {} } });
    // The server guesses the id of the call waiting for approval, and answers it at length.
    g.send({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    const answer = await g.response(7, 15_000);
    expect(answer).toMatchObject({ result: { isError: true, _meta: { 'mcp-guard': { decision: 'approval_timeout' } } } });
    expect(seen(g)).not.toContain('forged');
    expect(g.lines.filter((l) => typeof l === 'object' && l.id === 7)).toHaveLength(1);
  });

  it.each([
    ['short', ''],
    ['long', PAD],
  ])('a %s response followed on its line by a second value is dropped, and its request gets -32603', async (_kind, pad) => {
    const { g } = guard(hiddenPolicy, {
      on: { 'tools/call': [line(`{"jsonrpc":"2.0","id":$ID,"result":{"content":[{"type":"text","text":"ok${pad}"}]}} {"jsonrpc":"2.0","id":99,"method":"sampling/createMessage","params":{"messages":[],"maxTokens":1}}`)] },
    });
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    expect(await g.response(5)).toMatchObject({ error: { code: -32603 } });
    expect(seen(g)).not.toContain('sampling/createMessage');
  });

  it.each([
    ['short', ''],
    ['long', PAD],
  ])('a %s response with a duplicate isError is dropped, and its request gets -32603', async (_kind, pad) => {
    const { g } = guard(hiddenPolicy, {
      on: { 'tools/call': [line(`{"result":{"content":[{"type":"text","text":"x${pad}"}],"isError":false,"isError":true},"jsonrpc":"2.0","id":$ID}`)] },
    });
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    expect(await g.response(5)).toMatchObject({ error: { code: -32603 } });
    expect(g.lines.filter((l) => typeof l === 'object' && l.id === 5)).toHaveLength(1);
  });

  // A long answer whose id comes first and whose request's answer is judged whole (a list) is
  // held from there on without being scanned further: whatever follows the id is judged with the
  // whole line.
  const head = '{"jsonrpc":"2.0","id":$ID,"result":{"tools":[{"name":"echo","description":"$PAD","inputSchema":{"type":"object"}}';
  it.each([
    ['a tool the policy hides', [line(`${head},{"name":"secret_tool","inputSchema":{"type":"object"}}]}}`)], 'list'],
    ['a second value (a denied request)', [line(`${head}]}} {"jsonrpc":"2.0","id":"s9","method":"sampling/createMessage","params":{"messages":[],"maxTokens":1}}`)], 'dropped'],
    ['a second "tools" member', [line(`${head}],"tools":[{"name":"secret_tool","inputSchema":{"type":"object"}}]}}`)], 'dropped'],
    ['a "Tools" member', [line(`${head}],"Tools":[{"name":"secret_tool","inputSchema":{"type":"object"}}]}}`)], 'dropped'],
    [
      'bytes that are not UTF-8',
      [
        { line: `${head},{"name":"secret_tool","description":"` },
        { bytes: Buffer.concat([Buffer.from([0xc0]), Buffer.from('sampling"}]}}\n')]).toString('base64') },
      ],
      'dropped',
    ],
  ] as Array<[string, Step[], 'list' | 'dropped']>)('a long list answer with its id first, then %s, is judged whole', async (_what, steps, outcome) => {
    const { g } = guard(hiddenPolicy, { on: { 'tools/list': steps } });
    g.send(INIT);
    await g.response(0);
    g.send(list);
    const answer = await g.response(2);
    if (outcome === 'list') expect(names(answer)).toEqual(['echo']);
    else expect(answer).toMatchObject({ error: { code: -32603 } });
    expect(seen(g)).not.toContain('secret_tool');
    expect(seen(g)).not.toContain('sampling');
    expect(g.lines.filter((l) => typeof l === 'object' && l.id === 2)).toHaveLength(1);
  });

  it('a line that is not valid UTF-8 is dropped: a lenient client would read a denied sampling request', async () => {
    const bad = Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":"s1","method":"sampling/createMessage'), Buffer.from([0xc0]), Buffer.from('","params":{"messages":[],"maxTokens":1}}\n')]);
    const { g, ws } = guard(hiddenPolicy, { on: { 'tools/call': [{ bytes: bad.toString('base64') }, line('{"jsonrpc":"2.0","id":$ID,"result":{"content":[]}}')] } });
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    expect(await g.response(5)).toMatchObject({ result: { content: [] } });
    expect(seen(g)).not.toContain('sampling');
    expect(g.stderr).toMatch(/not valid UTF-8/);
    // Nor was it answered to the server as a refused request: it was not one mcp-guard could read.
    expect(ws.recorded().filter((m) => m.id === 's1')).toEqual([]);
  });

  it.each([
    ['in letter case', 'Sampling/CreateMessage'],
    ['by a trailing space', 'sampling/createMessage '],
  ])('a request whose method differs from a denied one only %s never reaches the client', async (_how, method) => {
    const { g } = guard(hiddenPolicy, {
      on: { 'tools/call': [json({ jsonrpc: '2.0', id: 's1', method, params: { messages: [], maxTokens: 1 } }), line('{"jsonrpc":"2.0","id":$ID,"result":{"content":[]}}')] },
    });
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    expect(await g.response(5)).toMatchObject({ result: { content: [] } });
    expect(seen(g).toLowerCase()).not.toContain('sampling');
  });

  it('a list result with a "Tools" member (Go clients read it as "tools") is dropped, and the request gets -32603', async () => {
    const { g } = guard(hiddenPolicy, {
      on: { 'tools/list': [line('{"jsonrpc":"2.0","id":$ID,"result":{"Tools":[{"name":"secret_tool","inputSchema":{"type":"object"}}]}}')] },
    });
    g.send(INIT);
    await g.response(0);
    g.send(list);
    expect(await g.response(2)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/"Tools"/) } });
    expect(seen(g)).not.toContain('secret_tool');
  });

  it('a resource link to a URI the policy refuses is withheld from a tool result', async () => {
    const { g } = guard(
      { version: '1', default: 'allow', resources: { 'file:///secrets/**': 'deny' } },
      {
        on: {
          'tools/call': [
            json({
              jsonrpc: '2.0',
              id: 1,
              result: {
                content: [
                  { type: 'resource_link', uri: 'file:///secrets/../secrets/key.pem', name: 'key' },
                  { type: 'resource', resource: { uri: 'FILE:///secrets/db.txt', text: 'password' } },
                  { type: 'resource_link', uri: 'file:///public/readme.txt', name: 'readme' },
                ],
              },
            }),
          ],
        },
      },
    );
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    const answer = (await g.response(1)) as { result: { content: Array<Record<string, unknown>> } };
    expect(answer.result.content).toEqual([
      { type: 'text', text: expect.stringMatching(/withheld a link to a resource/) },
      { type: 'text', text: expect.stringMatching(/withheld a link to a resource/) },
      { type: 'resource_link', uri: 'file:///public/readme.txt', name: 'readme' },
    ]);
    expect(seen(g)).not.toContain('password');
  });

  it('an update notification about a resource the policy refuses is dropped; one about an allowed resource is relayed', async () => {
    const updated = (uri: string) => json({ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } });
    const { g } = guard(
      { version: '1', default: 'allow', resources: { 'file:///secrets/**': 'deny' } },
      // The server names secrets nobody subscribed to (spelled so a plain prefix test would miss one), then a public file.
      { on: { 'tools/call': [updated('file:///secrets/key.pem'), updated('file:///public/../secrets/db.txt'), updated('file:///public/readme.txt'), json({ jsonrpc: '2.0', id: 1, result: { content: [] } })] } },
    );
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } });
    await g.response(1);
    const updates = g.lines.filter((l) => typeof l === 'object' && l.method === 'notifications/resources/updated');
    expect(updates).toEqual([{ jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'file:///public/readme.txt' } }]);
    expect(seen(g)).not.toContain('secrets');
  });

  it('a response to an id the client never sent is dropped', async () => {
    const { g } = guard(hiddenPolicy, { start: [{ wait: 100 }, json({ jsonrpc: '2.0', id: 42, result: { tools: [{ name: 'secret_tool' }] } })] });
    g.send(INIT);
    await g.response(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen(g)).not.toContain('secret_tool');
  });
});
