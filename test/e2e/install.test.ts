/**
 * SPEC §11: the project packs into a tarball that installs and runs anywhere. A copy of the
 * sources without dist/ (a fresh clone) is packed, the tarball is installed into a temporary
 * prefix, and the installed `mcp-guard` runs a session, lint, init, venv info and schema from a
 * directory with no clone around.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_SERVER, ROOT } from './support/guard.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: none of the npm_* variables `npm test` sets for its scripts. */
function userEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^npm_/i.test(e[0])));
  return { ...env, ...extra };
}

function exec(file: string, args: string[], o: { cwd: string; env?: Record<string, string>; timeout?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: o.cwd, env: o.env ?? userEnv(), timeout: o.timeout ?? 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

const work = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-install-')));
const checkout = join(work, 'checkout');
const prefix = join(work, 'prefix');
const home = join(work, 'home');
const cwd = join(work, 'somewhere');
const binDir = process.platform === 'win32' ? prefix : join(prefix, 'bin');
const installed = process.platform === 'win32' ? join(prefix, 'node_modules', 'mcp-guard') : join(prefix, 'lib', 'node_modules', 'mcp-guard');
const server = join(work, 'server', 'echo-server.mjs');
const env = () => userEnv({ PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`, HOME: home, MCP_GUARD_STATE_DIR: join(home, 'state') });
/** The installed command, found on PATH as a user's shell would. */
const guard = (args: string[], timeout?: number) => exec(process.platform === 'win32' ? 'mcp-guard.cmd' : 'mcp-guard', args, { cwd, env: env(), ...(timeout ? { timeout } : {}) });

let tarball: string;
let unbuilt: Run;

beforeAll(async () => {
  // A fresh clone: the sources, without dist/ (and with the dependencies already installed).
  const skip = new Set(['node_modules', 'dist', '.git', 'coverage']);
  cpSync(ROOT, checkout, { recursive: true, filter: (source) => !relative(ROOT, source).split(sep).some((part) => skip.has(part)) });
  symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'), 'junction');
  unbuilt = await exec(process.execPath, [join(checkout, 'bin', 'mcp-guard.js'), '--version'], { cwd: work });

  const packed = await exec('npm', ['pack', '--pack-destination', work], { cwd: checkout, timeout: 240_000 });
  expect(packed.code, packed.stderr).toBe(0);
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz'))!);

  // --allow-scripts: npm 11 runs a dependency's install script (better-sqlite3 builds its binding)
  // only when allowed; older npm versions ignore the flag.
  const install = await exec('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', tarball], {
    cwd: work,
    timeout: 480_000,
  });
  expect(install.code, install.stderr).toBe(0);

  for (const dir of [home, cwd, join(work, 'server')]) mkdirSync(dir, { recursive: true });
  copyFileSync(ECHO_SERVER, server);
}, 600_000);

// The prefix holds a whole installed package with a native build: do not leave it in /tmp.
afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 3 }));

describe('installing from a packed tarball', () => {
  it('a checkout without dist/ says how to build it, in one line, exit 2', () => {
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.stdout).toBe('');
    expect(unbuilt.stderr).toMatch(/^mcp-guard: .*npm install.*npm run build.*\n$/);
    expect(unbuilt.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the tarball carries dist/, the schema, the examples and the docs, and no sources or tests', async () => {
    const listing = await exec('tar', ['-tzf', tarball], { cwd: work });
    const files = listing.stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/cli/main.js');
    expect(files).toContain('package/dist/child/child.js');
    expect(files).toContain('package/schema/policy.schema.json');
    expect(files).toContain('package/examples/filesystem.policy.json');
    expect(files).toContain('package/README.md');
    expect(files.some((f) => f.startsWith('package/docs/'))).toBe(true);
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toEqual([]);
  });

  it('puts mcp-guard on PATH, with the package version', async () => {
    const r = await guard(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });

  it('init writes a policy whose $schema resolves to the installed schema, and lint passes it', async () => {
    const init = await guard(['init', '-o', 'policy.json', '--', 'node', server]);
    expect(init.code, init.stderr).toBe(0);
    const policy = JSON.parse(readFileSync(join(cwd, 'policy.json'), 'utf8')) as { $schema: string };
    const schema = fileURLToPath(policy.$schema);
    expect(schema).toBe(join(installed, 'schema', 'policy.schema.json'));
    expect(existsSync(schema)).toBe(true);

    const lint = await guard(['lint', 'policy.json']);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    const server_ = await guard(['lint', 'policy.json', '--server', '--', 'node', server]);
    expect(server_.code, server_.stdout + server_.stderr).toBe(0);
  });

  it('the shipped examples lint clean, and their relative $schema resolves inside the package', async () => {
    const example = join(installed, 'examples', 'filesystem.policy.json');
    const named = (JSON.parse(readFileSync(example, 'utf8')) as { $schema: string }).$schema;
    expect(existsSync(join(installed, 'examples', named))).toBe(true);
    const lint = await guard(['lint', example]);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
  });

  it('schema prints the installed schema and names its path', async () => {
    const r = await guard(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(ROOT, 'schema', 'policy.schema.json'), 'utf8')));
    expect(r.stderr).toContain(join(installed, 'schema', 'policy.schema.json'));
    expect((await guard(['schema', '--path'])).stdout.trim()).toBe(join(installed, 'schema', 'policy.schema.json'));
  });

  it('runs a guarded session for an SDK client', async () => {
    const policy = join(cwd, 'session.policy.json');
    writeFileSync(policy, JSON.stringify({ version: '1', default: 'deny', tools: { echo: 'allow', delete_file: { action: 'deny', reason: 'not here' } } }));
    const transport = new StdioClientTransport({
      command: join(binDir, process.platform === 'win32' ? 'mcp-guard.cmd' : 'mcp-guard'),
      args: ['--policy', policy, '--', 'node', server],
      cwd,
      env: env(),
      stderr: 'pipe',
    });
    const client = new Client({ name: 'install-test', version: '1' });
    await client.connect(transport);
    try {
      const tools = await client.listTools();
      // A denied tool with a reason stays listed (so the agent can be told why); the rest are hidden.
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['delete_file', 'echo']);
      const echoed = await client.callTool({ name: 'echo', arguments: { text: 'through the installed guard' } });
      expect(JSON.stringify(echoed.content)).toContain('through the installed guard');
      const refused = await client.callTool({ name: 'delete_file', arguments: { path: '/x' } });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain('not here');
    } finally {
      await client.close();
    }
  });

  it('venv create and venv info work from the installed command', async () => {
    const create = await guard(['venv', 'create', 'env', '--no-uv'], 120_000);
    expect(create.code, create.stderr).toBe(0);
    const info = await guard(['venv', 'info', 'env', '--json']);
    expect(info.code, info.stderr).toBe(0);
    expect(JSON.parse(info.stdout)).toMatchObject({ path: join(cwd, 'env') });
  }, 150_000);
});
