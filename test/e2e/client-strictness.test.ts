import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { BIN, ECHO_SERVER, INIT, type RawGuard, ROOT, spawnGuard, workspace } from './support/guard.js';

// Attacks by an agent (the client side): each must be refused before anything reaches the
// server, which records every line it gets (test/fixtures/echo-server.mjs).

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

const toolCalls = (ws: ReturnType<typeof workspace>) => ws.recorded().filter((m) => m.method === 'tools/call');

describe('control characters a C parser cuts names at', () => {
  it.each([
    ['in a tool name', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"shell_exec\\u0000x","arguments":{"cmd":"cat /etc/shadow"}}}'],
    ['in a member name', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","name\\u0000":"shell_exec","arguments":{"cmd":"id"}}}'],
    ['in an argument name', '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"cmd\\u0000":"id"}}}'],
    ['in the method', '{"jsonrpc":"2.0","id":1,"method":"tools/call\\u0000","params":{"name":"shell_exec","arguments":{}}}'],
    ['DEL in a resource URI', '{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///public/\\u007f../secrets/key.pem"}}'],
  ])('%s: refused with -32600, never relayed', async (_where, line) => {
    const { g, ws } = guard({ version: '1', default: 'allow', tools: { shell_exec: 'deny' }, resources: { 'file:///secrets/**': 'deny' } });
    g.send(line);
    expect(await g.response(1)).toMatchObject({ error: { code: -32600 } });
    expect(ws.recorded().filter((m) => m.id === 1)).toEqual([]);
  });
});

describe('names a server that trims or drops invisible characters would run as a denied tool', () => {
  it.each([
    ['a trailing space', 'shell_exec '],
    ['a leading ideographic space', '\u3000shell_exec'],
    ['a zero-width space', 'shell_\u200bexec'],
    ['a soft hyphen', 'shell_\u00adexec'],
    ['a byte-order mark', '\ufeffshell_exec'],
  ])('%s: refused as the entry it resembles, never relayed', async (_what, name) => {
    const { g, ws } = guard({ version: '1', default: 'allow', tools: { shell_exec: 'deny' } });
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: { cmd: 'id' } } });
    expect(await g.response(1)).toMatchObject({ result: { isError: true, _meta: { 'mcp-guard': { decision: 'denied', rule: 'tools.shell_exec' } } } });
    g.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { text: 'a b ' } } });
    await g.response(2);
    expect(toolCalls(ws).map((m) => (m.params as { name: string }).name)).toEqual(['echo']);
  });

  it('an argument name with a zero-width space is refused as invalid arguments', async () => {
    const { g, ws } = guard({ version: '1', default: 'deny', tools: { read_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': ['/tmp/allowed'] } } } } } });
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { 'path\u200b': '/etc/shadow' } } });
    expect(await g.response(1)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'invalid_arguments' } } } });
    expect(toolCalls(ws)).toEqual([]);
  });
});

describe('methods a server that matches leniently would run as an MCP method', () => {
  it.each([
    ['letter case', 'TOOLS/CALL'],
    ['a trailing space', 'tools/call '],
    ['a full-width letter', 'tools/ｃall'],
    ['a zero-width joiner', 'tools/\u200dcall'],
  ])('%s: refused with -32600, never relayed', async (_what, method) => {
    const { g, ws } = guard({ version: '1', default: 'allow', tools: { shell_exec: 'deny' } });
    g.send({ jsonrpc: '2.0', id: 1, method, params: { name: 'shell_exec', arguments: { cmd: 'id' } } });
    expect(await g.response(1)).toMatchObject({ error: { code: -32600, message: expect.stringContaining('differs from tools/call') } });
    g.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await g.response(2);
    expect(ws.recorded().filter((m) => m.id === 1)).toEqual([]);
  });
});

describe('hidden tools', () => {
  it.each([
    ['listed in hide', { hide: ['secret_tool'], tools: {} }, 'hide'],
    ['an entry whose action is hide', { tools: { secret_tool: { action: 'hide', reason: 'the secret tool leaks keys' } } }, 'tools.secret_tool'],
    ['a letter-case variant of a hidden entry', { tools: { SECRET_TOOL: { action: 'hide', reason: 'the secret tool leaks keys' } } }, 'tools.SECRET_TOOL'],
  ])('%s: refused as not available, never with the policy\'s reason', async (_how, policy, rule) => {
    const { g } = guard({ version: '1', default: 'allow', ...policy });
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'secret_tool', arguments: {} } });
    const answer = (await g.response(1)) as { result: { content: Array<{ text: string }>; _meta: Record<string, unknown> } };
    expect(answer.result._meta['mcp-guard']).toEqual({ decision: 'denied', rule, reason: 'the tool "secret_tool" is not available' });
    expect(JSON.stringify(answer)).not.toContain('leaks');
  });
});

describe('argument names that only resemble the schema\'s', () => {
  it('"Path" where the schema says "path" is refused as invalid arguments (Go servers read it as path)', async () => {
    const { g, ws } = guard({
      version: '1',
      default: 'deny',
      // No "required" and no additionalProperties: false, as in many hand-written policies.
      tools: { read_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': ['/tmp/allowed'] } } } } },
    });
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'read_file', arguments: { path: '/tmp/allowed/a', Path: '/etc/shadow' } } });
    // Both names in one object: ambiguous to every parser.
    expect(await g.response(1)).toMatchObject({ error: { code: -32600 } });
    g.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'read_file', arguments: { Path: '/etc/shadow' } } });
    expect(await g.response(2)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'invalid_arguments' } } } });
    g.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'python_venv', arguments: {} } });
    await g.response(3);
    expect(toolCalls(ws)).toEqual([]);
  });

  it('a case variant slipping past a "when" rule is refused too', async () => {
    const { g, ws } = guard({
      version: '1',
      default: 'deny',
      tools: { python_venv: { rules: [{ when: { properties: { action: { const: 'delete' } }, required: ['action'] }, action: 'deny', reason: 'deleting is for people' }] } },
    });
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'python_venv', arguments: { Action: 'delete', venvPath: '/x' } } });
    expect(await g.response(1)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'invalid_arguments' } } } });
    expect(toolCalls(ws)).toEqual([]);
  });
});

describe('limits', () => {
  it('count every spelling of a URI as one: a glob entry\'s counter is its key', async () => {
    const { g, ws } = guard({ version: '1', default: 'deny', resources: { 'file:///data/**': { rate_limit: '2/hour' } } });
    const spellings = ['file:///data/a.txt', 'file:///data//a.txt', 'file:///data/./a.txt', 'file:///data/a.txt?1', 'file:///data/a.txt#2', 'FILE:///data/%61.txt', 'file:///data/b/../a.txt'];
    spellings.forEach((uri, i) => g.send({ jsonrpc: '2.0', id: i + 1, method: 'resources/read', params: { uri } }));
    const answers = await Promise.all(spellings.map((_, i) => g.response(i + 1)));
    expect(answers.filter((a) => 'result' in a)).toHaveLength(2);
    expect(answers.filter((a) => (a.error as { data?: { decision?: string } })?.data?.decision === 'rate_limited')).toHaveLength(5);
    expect(ws.recorded().filter((m) => m.method === 'resources/read')).toHaveLength(2);
  });
});

describe('matching never stalls the session', () => {
  it('a worst-case glob and a backtracking-prone pattern are judged, and a ping after them is answered at once', async () => {
    const { g } = guard({
      version: '1',
      default: 'allow',
      hide: ['*_*_*_*_*_x'],
      tools: { echo: { args: { type: 'object', properties: { csv: { type: 'string', pattern: '^(.*?,){11}P' } } } } },
    });
    g.send(
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: '_'.repeat(1000), arguments: {} } },
      { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'echo', arguments: { csv: 'x,'.repeat(50_000) } } },
      { jsonrpc: '2.0', id: 3, method: 'ping' },
    );
    expect(await g.response(3, 5000)).toMatchObject({ result: {} });
    expect(await g.response(2)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'invalid_arguments' } } } });
    expect(await g.response(1)).toMatchObject({ result: expect.anything() });
    // Names over 1,024 characters are refused before any matching.
    g.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: '_'.repeat(1025), arguments: {} } });
    expect(await g.response(4)).toMatchObject({ result: { _meta: { 'mcp-guard': { decision: 'invalid_arguments' } } } });
  });
});

describe('methods no MCP revision defines', () => {
  it('are refused under default: "deny" (a notification: dropped) and relayed under "allow"', async () => {
    const { g, ws } = guard({ version: '1', default: 'deny', tools: { echo: 'allow' } });
    g.send({ jsonrpc: '2.0', id: 1, method: 'debug/dumpSecrets', params: {} }, { jsonrpc: '2.0', method: 'notifications/debug', params: {} }, { jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(await g.response(1)).toMatchObject({ error: { code: -31403, data: { decision: 'denied', rule: 'default' } } });
    await g.response(2);
    expect(ws.recorded().map((m) => m.method)).toEqual(['ping']);
    const open = guard({ version: '1', default: 'allow' });
    open.g.send({ jsonrpc: '2.0', id: 1, method: 'debug/dumpSecrets', params: {} });
    expect(await open.g.response(1)).toMatchObject({ error: { code: -32601 } });
  });
});

describe('what is printed', () => {
  it('escapes newlines, terminal controls and bidirectional overrides from names and server output before they reach stderr', async () => {
    const banner = 'banner\rmcp-guard: approved everything\u001b[2K\u009b1m';
    const { g } = guard(
      { version: '1', default: 'deny' },
      { server: ['node', join(ROOT, 'test/fixtures/scripted-server.mjs')], env: { SCRIPT: JSON.stringify({ start: [{ line: `${banner}\n` }] }) } },
    );
    // Control characters in a name are refused outright; bidi overrides and zero-width spaces are not controls.
    const name = 'report\u202etxt.exe\u200b';
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } });
    await g.response(1);
    await expect.poll(() => g.stderr).toMatch(/not JSON/);
    expect(g.stderr).not.toMatch(/[\r\u001b\u009b\u202e\u200b]/);
    expect(g.stderr).toContain('report\\u202etxt.exe\\u200b');
    expect(g.stderr).toContain('banner\\rmcp-guard: approved everything\\u001b[2K\\u009b1m');
    expect(g.stderr.split('\n').filter((l) => l.startsWith('mcp-guard: approved'))).toEqual([]);
  });

  it('never stalls the relay when the client does not read stderr', async () => {
    const ws = workspace({ version: '1', default: 'deny' });
    const child = spawn(process.execPath, [BIN, '--policy', ws.policyFile, '--state-dir', ws.stateDir, '--', 'node', ECHO_SERVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    // stderr is a pipe nobody reads: it fills after some 64 KiB.
    child.stderr.pause();
    const calls = 3000;
    let answered = 0;
    let buffer = '';
    const done = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        answered += buffer.split('\n').length - 1;
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
        if (answered >= calls + 1) resolve();
      });
    });
    child.stdin.write(`${JSON.stringify(INIT)}\n`);
    const refused = (i: number) => `{"jsonrpc":"2.0","id":${i + 1},"method":"tools/call","params":{"name":"tool_${'x'.repeat(200)}_${i}","arguments":{}}}\n`;
    child.stdin.write(Array.from({ length: calls }, (_, i) => refused(i)).join(''));
    await done;
    expect(answered).toBe(calls + 1);
    child.kill('SIGKILL');
  }, 60_000);
});
