import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { lintFiles } from '../../src/lint/lint-files.js';
import { listServerTools } from '../../src/lint/server-tools.js';
import { compilePolicy, lookup } from '../../src/policy/engine/compile.js';
import { loadPolicy } from '../../src/policy/load.js';
import { connect, EVERYTHING, ROOT, workspace } from './support/guard.js';
import { hostFileSystem } from '../../src/policy/host-file-system.js';

const SERVERS = join(ROOT, 'node_modules/@modelcontextprotocol');
const example = (name: string) => join(ROOT, 'examples', name);

/** Each example and the real server it is for, started the way a client config would start it. */
const REAL: Array<{ file: string; server: (dir: string) => string[] }> = [
  { file: 'everything.policy.json', server: () => ['node', EVERYTHING] },
  { file: 'filesystem.policy.json', server: (dir) => ['node', join(SERVERS, 'server-filesystem/dist/index.js'), dir] },
  { file: 'github.policy.json', server: () => ['node', join(SERVERS, 'server-github/dist/index.js')] },
  { file: 'memory.policy.yaml', server: () => ['node', join(SERVERS, 'server-memory/dist/index.js')] },
];

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** The SDK client through mcp-guard with an example policy; `answers` feed its approval questions. */
async function guarded(file: string, server: (dir: string) => string[], answers: Array<'accept' | 'decline'> = [], env: Record<string, string> | ((dir: string) => Record<string, string>) = {}) {
  const ws = workspace(readFileSync(example(file), 'utf8'), file);
  const session = await connect(ws, { server: server(ws.dir), capabilities: { elicitation: {} }, env: typeof env === 'function' ? env(ws.dir) : env });
  const asked: string[] = [];
  session.client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    const action = answers.shift() ?? 'decline';
    return action === 'accept' ? { action, content: {} } : { action };
  });
  closers.push(() => session.client.close());
  return { ...session, ws, asked };
}

describe.each(REAL)('$file against the real server', ({ file, server }) => {
  it('names only tools the server has, decides every tool it lists, and lints clean against them', async () => {
    const dir = workspace({}).dir;
    const [command, ...args] = server(dir);
    const tools = await listServerTools(command!, args, { timeoutMs: 20_000, cwd: dir });
    expect(tools.length).toBeGreaterThan(5);
    const [result] = await lintFiles([example(file)], { tools });
    expect(result!.problems.map((p) => `${p.line}:${p.column} ${p.message} (${p.ruleId})`)).toEqual([]);
    // A ready policy decides each tool on purpose, rather than leaving it to the default.
    const loaded = await loadPolicy(example(file));
    const policy = await compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() });
    expect(tools.filter((t) => !lookup(policy.tools, t.name) && !lookup(policy.hide, t.name)).map((t) => t.name)).toEqual([]);
  });
});

describe('the examples at work, through mcp-guard', () => {
  it('everything: the agent sees the allowed tools but not get-env, and calls go through', async () => {
    const { client } = await guarded('everything.policy.json', () => ['node', EVERYTHING]);
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'gzip-file-as-resource', 'toggle-simulated-logging']));
    expect(names).not.toContain('get-env');
    expect(JSON.stringify((await client.callTool({ name: 'get-sum', arguments: { a: 20, b: 22 } })).content)).toContain('42');
    const env = await client.callTool({ name: 'get-env', arguments: {} });
    expect(env._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.get-env' });
    const long = await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 600 } });
    expect(long._meta?.['mcp-guard']).toMatchObject({ decision: 'invalid_arguments' });
    expect((await client.listPrompts()).prompts.length).toBeGreaterThan(0);
  });

  it('filesystem: reads pass, secrets are refused, a write happens only after a yes', async () => {
    // The example confines paths to ~/projects: the workspace plays the home directory.
    const { client, ws, asked } = await guarded(
      'filesystem.policy.json',
      (dir) => {
        mkdirSync(join(dir, 'projects'));
        return ['node', join(SERVERS, 'server-filesystem/dist/index.js'), join(dir, 'projects')];
      },
      ['decline', 'accept'],
      (dir) => ({ HOME: dir }),
    );
    const projects = join(ws.dir, 'projects');
    writeFileSync(join(projects, 'notes.md'), 'remember the milk');
    writeFileSync(join(projects, '.env'), 'API_KEY=hunter2');
    const notes = await client.callTool({ name: 'read_text_file', arguments: { path: join(projects, 'notes.md') } });
    expect(JSON.stringify(notes.content)).toContain('remember the milk');
    const env = await client.callTool({ name: 'read_text_file', arguments: { path: join(projects, '.env') } });
    expect(env.isError).toBe(true);
    expect(env._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.read_text_file.rules[0]' });
    expect(JSON.stringify(env)).not.toContain('hunter2');

    const target = join(projects, 'written.md');
    const declined = await client.callTool({ name: 'write_file', arguments: { path: target, content: 'by the agent' } });
    expect(declined._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_declined', rule: 'tools.write_file' });
    expect(existsSync(target)).toBe(false);
    const accepted = await client.callTool({ name: 'write_file', arguments: { path: target, content: 'by the agent' } });
    expect(accepted.isError).toBeFalsy();
    expect(readFileSync(target, 'utf8')).toBe('by the agent');
    expect(asked).toHaveLength(2);
    expect(asked[0]).toContain('write_file');

    mkdirSync(join(projects, '.ssh'));
    const plant = await client.callTool({ name: 'write_file', arguments: { path: join(projects, '.ssh/authorized_keys'), content: 'ssh-ed25519 AAAA' } });
    expect(plant._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.write_file.rules[0]' });
    expect(existsSync(join(projects, '.ssh/authorized_keys'))).toBe(false);
    expect(asked).toHaveLength(2);
  });

  it('memory: writes pass, forgetting needs a yes', async () => {
    const memoryFile = join(workspace({}).dir, 'memory.jsonl');
    const { client } = await guarded('memory.policy.yaml', () => ['node', join(SERVERS, 'server-memory/dist/index.js')], ['decline'], { MEMORY_FILE_PATH: memoryFile });
    const created = await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'mcp-guard', entityType: 'project', observations: ['guards MCP servers'] }] } });
    expect(created.isError).toBeFalsy();
    const forget = await client.callTool({ name: 'delete_entities', arguments: { entityNames: ['mcp-guard'] } });
    expect(forget._meta?.['mcp-guard']).toMatchObject({ decision: 'approval_declined', rule: 'tools.delete_entities' });
    const graph = await client.callTool({ name: 'read_graph', arguments: {} });
    expect(JSON.stringify(graph.content)).toContain('guards MCP servers');
  });

  it('github: a push to main is refused before it reaches the server', async () => {
    const { client, ws } = await guarded('github.policy.json', () => ['node', join(SERVERS, 'server-github/dist/index.js')]);
    expect((await client.listTools()).tools.length).toBe(26);
    const push = await client.callTool({ name: 'push_files', arguments: { owner: 'o', repo: 'r', branch: 'main', files: [{ path: 'a', content: 'b' }], message: 'm' } });
    expect(push._meta?.['mcp-guard']).toMatchObject({ decision: 'denied', rule: 'tools.push_files.rules[0]' });
    // The refusal can reach the client a moment before the audit record is flushed.
    await expect.poll(() => (existsSync(ws.auditFile) ? readFileSync(ws.auditFile, 'utf8') : '')).toContain('"tool":"push_files","decision":"denied"');
  });
});
