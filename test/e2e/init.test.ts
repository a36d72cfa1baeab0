import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { parse as parseYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { listServerTools } from '../../src/lint/server-tools.js';
import { classifyTool } from '../../src/init/tool-risk.js';
import { compilePolicy } from '../../src/policy/engine/compile.js';
import { decideToolCall } from '../../src/policy/engine/decide.js';
import { loadPolicy } from '../../src/policy/load.js';
import { BIN, connect, ECHO_SERVER, EVERYTHING, ROOT, workspace } from './support/guard.js';
import { hostFileSystem } from '../../src/policy/host-file-system.js';

const FILESYSTEM = join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const dir = () => mkdtempSync(join(tmpdir(), 'mcp-guard-init-'));

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** What the generated policy decides for each of the server's tools must match the tool's annotations. */
async function expectDecisionsFollowAnnotations(policyFile: string, server: string[]) {
  const tools = await listServerTools(server[0]!, server.slice(1), { timeoutMs: 20_000 });
  const loaded = await loadPolicy(policyFile);
  expect(loaded.warnings).toEqual([]);
  const policy = await compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() });
  const expected = { 'read-only': { outcome: 'allow', charges: [] }, limited: { outcome: 'allow', charges: [expect.objectContaining({ max: 30, windowMs: 60_000 })] }, destructive: { outcome: 'ask' } };
  for (const tool of tools) {
    expect(decideToolCall(policy, tool.name, {}), tool.name).toMatchObject(expected[classifyTool(tool).group]);
  }
  return tools;
}

describe('mcp-guard init', () => {
  it('writes a policy for the fixture that lints clean and, used as the policy, allows, limits and asks', async () => {
    const out = join(dir(), 'policy.json');
    const run = await cli(['init', '-o', out, '--', 'node', ECHO_SERVER]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`mcp-guard: wrote ${out}: 7 tools: 2 read-only (allowed), 4 allowed 30 calls per minute each, 1 destructive (ask)`);
    expect(run.stderr).toContain(`mcp-guard lint ${out} --server -- node ${ECHO_SERVER}`);

    const doc = JSON.parse(readFileSync(out, 'utf8')) as { tools: Record<string, unknown> };
    expect(doc).toMatchObject({ $schema: pathToFileURL(join(ROOT, 'schema/policy.schema.json')).href, version: '1', default: 'deny' });
    expect(doc.tools.echo).toEqual({ $comment: 'Echo the arguments back [readOnlyHint]', action: 'allow' });
    expect(doc.tools.delete_file).toMatchObject({ $comment: 'Delete a file [destructiveHint]', action: 'ask' });
    expect(doc.tools.create_charge).toEqual({ $comment: 'Charge money [openWorldHint]', rate_limit: '30/minute' });

    const lint = await cli(['lint', '--max-warnings', '0', out, '--server', '--', 'node', ECHO_SERVER]);
    expect(lint).toMatchObject({ code: 0 });
    expect(lint.stdout).toContain('no problems');
    await expectDecisionsFollowAnnotations(out, ['node', ECHO_SERVER]);

    // Used for real: the SDK client through mcp-guard with the generated policy.
    const ws = workspace(readFileSync(out, 'utf8'));
    const { client } = await connect(ws, { capabilities: { elicitation: {} } });
    closers.push(() => client.close());
    const asked: string[] = [];
    client.setRequestHandler(ElicitRequestSchema, async (request) => {
      asked.push(request.params.message);
      return { action: 'decline' };
    });
    expect((await client.listTools()).tools).toHaveLength(7);
    expect(JSON.stringify((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content)).toContain('hi');
    const deleted = await client.callTool({ name: 'delete_file', arguments: { path: '/tmp/x' } });
    expect(deleted._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_declined', rule: 'tools.delete_file' });
    expect(asked[0]).toContain('delete_file');
    expect(ws.recorded().filter((m) => m.method === 'tools/call').map((m) => (m.params as { name: string }).name)).toEqual(['echo']);
  });

  it('writes YAML with comments for server-everything, and it lints clean against the server', async () => {
    const out = join(dir(), 'policy.yaml');
    const run = await cli(['init', '-o', out, '--', 'node', EVERYTHING]);
    expect(run.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# yaml-language-server: \$schema=/);
    expect(text).toMatch(/ {2}# echo: Echoes back the input string \[readOnlyHint\]\n {2}echo: allow\n/);
    expect(parseYaml(text)).toMatchObject({ version: '1', default: 'deny', tools: { echo: 'allow', 'toggle-simulated-logging': { rate_limit: '30/minute' } } });
    // Tools the server only offers to clients that can sample, elicit or list roots are listed too.
    for (const name of ['trigger-sampling-request', 'trigger-elicitation-request', 'get-roots-list']) expect(text).toContain(`${name}:`);
    const lint = await cli(['lint', '--max-warnings', '0', out, '--server', '--', 'node', EVERYTHING]);
    expect(lint.code).toBe(0);
    const tools = await expectDecisionsFollowAnnotations(out, ['node', EVERYTHING]);
    expect(tools.filter((t) => t.annotations?.readOnlyHint === true).length).toBeGreaterThan(5);
  });

  it('asks for the destructive tools of server-filesystem', async () => {
    const root = dir();
    const out = join(root, 'policy.json');
    expect((await cli(['init', '-o', out, '--', 'node', FILESYSTEM, root])).code).toBe(0);
    const tools = await expectDecisionsFollowAnnotations(out, ['node', FILESYSTEM, root]);
    const policy = await compilePolicy((await loadPolicy(out)).document, out, { pathEnv: hostFileSystem() });
    for (const name of ['write_file', 'edit_file', 'move_file']) {
      expect(tools.find((t) => t.name === name)?.annotations?.destructiveHint).toBe(true);
      expect(decideToolCall(policy, name, {})).toMatchObject({ outcome: 'ask', reason: expect.stringContaining(`marks ${name} as destructive`) });
    }
    expect(decideToolCall(policy, 'read_text_file', {})).toMatchObject({ outcome: 'allow' });
  });

  it('lists every page of tools', async () => {
    const work = dir();
    const server = join(work, 'paged-server.mjs');
    // A server that hands out its tools three to a page.
    writeFileSync(
      server,
      `const tools = Array.from({ length: 8 }, (_, i) => ({ name: 'tool_' + i, inputSchema: { type: 'object' }, annotations: { readOnlyHint: i % 2 === 0 } }));
let buffer = '';
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let nl;
  while ((nl = buffer.indexOf('\\n')) !== -1) {
    const msg = JSON.parse(buffer.slice(0, nl));
    buffer = buffer.slice(nl + 1);
    if (msg.id === undefined) continue;
    const send = (result) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }) + '\\n');
    if (msg.method === 'initialize') send({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'paged', version: '1' } });
    else if (msg.method === 'tools/list') {
      const start = Number(msg.params?.cursor ?? 0);
      send({ tools: tools.slice(start, start + 3), ...(start + 3 < tools.length ? { nextCursor: String(start + 3) } : {}) });
    } else send({});
  }
});
process.stdin.on('end', () => process.exit(0));
`,
    );
    const run = await cli(['init', '--', 'node', server]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { tools: Record<string, unknown> };
    expect(Object.keys(doc.tools).filter((k) => k !== '$comment').sort()).toEqual(Array.from({ length: 8 }, (_, i) => `tool_${i}`));
    expect(run.stderr).toContain('8 tools: 4 read-only (allowed), 0 allowed 30 calls per minute each, 4 destructive (ask)');
  });

  it('prints JSON on stdout by default, YAML with --format yaml, and honours --rate-limit', async () => {
    const json = await cli(['init', '--rate-limit', '5/hour', '--', 'node', ECHO_SERVER, '--api-key', 'sk-live-123']);
    expect(json.code).toBe(0);
    // Policy files get committed: a credential on the server's command line stays out of them.
    expect(json.stdout).not.toContain('sk-live-123');
    expect(JSON.parse(json.stdout).description).toBe(`Starting policy for node ${ECHO_SERVER} --api-key <redacted>`);
    expect(JSON.parse(json.stdout).tools.shell_exec).toEqual({ $comment: 'Run a shell command [no annotations]', rate_limit: '5/hour' });
    const yaml = await cli(['init', '--format', 'yaml', '--', 'node', ECHO_SERVER]);
    expect(yaml.code).toBe(0);
    expect(parseYaml(yaml.stdout)).toMatchObject({ tools: { delete_file: { action: 'ask' } } });
  });

  it('never overwrites a file without --force', async () => {
    const out = join(dir(), 'policy.json');
    writeFileSync(out, '{"edited": "by hand"}');
    const refused = await cli(['init', '-o', out, '--', 'node', ECHO_SERVER]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^mcp-guard: .*policy\.json already exists; pass --force/);
    expect(readFileSync(out, 'utf8')).toBe('{"edited": "by hand"}');
    // A file where a directory should be: refused before the server is started.
    const underFile = await cli(['init', '-o', join(out, 'deeper', 'policy.json'), '--', 'node', ECHO_SERVER]);
    expect(underFile.code).toBe(1);
    expect(underFile.stderr).toMatch(/^mcp-guard: cannot write .*deeper\/policy\.json: .*policy\.json is not a directory\n$/);
    const forced = await cli(['init', '--force', '-o', out, '--', 'node', ECHO_SERVER]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ default: 'deny' });
  });

  it('fails with one line and exit 2 for bad input and broken servers, leaving no file behind', async () => {
    const work = dir();
    const cases: Array<[string[], RegExp, Record<string, string>?]> = [
      [['init'], /command/],
      [['init', '--rate-limit', 'lots', '--', 'node', ECHO_SERVER], /--rate-limit "lots" is not a rate/],
      [['init', '-o', join(work, 'policy.js'), '--', 'node', ECHO_SERVER], /JSON or YAML/],
      [['init', '-o', join(work, 'package.json'), '--force', '--', 'node', ECHO_SERVER], /package\.json/],
      [['init', '-o', join(work, 'p.json'), '--', join(work, 'no-such-server')], /command not found/],
      [['init', '-o', join(work, 'p.json'), '--', 'node', ECHO_SERVER], /could not list|exited|closed/, { FIXTURE_MODE: 'exit-at-once' }],
      [['init', '-o', join(work, 'p.json'), '--timeout', '1', '--', 'node', '-e', 'setInterval(() => {}, 1000)'], /within 1 s/],
    ];
    for (const [args, message, env] of cases) {
      const run = await cli(args, env);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stdout).toBe('');
    }
    expect(() => readFileSync(join(work, 'p.json'))).toThrow();
  });

  it('has help with examples', async () => {
    const run = await cli(['init', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: mcp-guard init');
    expect(run.stdout).toMatch(/Examples:\n\s+mcp-guard init -o policy\.json -- /);
  });
});
