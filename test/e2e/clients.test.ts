/**
 * `clients`, `wrap` and `unwrap` through the built CLI, with every client's files under a
 * temporary HOME. The wrapped server is then started exactly as the config says, by a real MCP
 * client, and the policy is seen refusing a call.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parse as parseToml } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ECHO_SERVER, ROOT } from './support/guard.js';

interface Sandbox {
  dir: string;
  home: string;
  desktopConfig: string;
  recordFile: string;
  env: Record<string, string>;
  cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string };
}

const POLICY = { version: '1', default: 'deny', tools: { echo: 'allow' } };

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-clients-'));
  const home = join(dir, 'home');
  const env: Record<string, string> = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !['APPDATA', 'CODEX_HOME'].includes(e[0])));
  Object.assign(env, { HOME: home, XDG_CONFIG_HOME: join(home, '.config'), NO_COLOR: '1' });
  const desktopConfig = join(home, '.config', 'Claude', 'claude_desktop_config.json');
  mkdirSync(join(home, '.config', 'Claude'), { recursive: true });
  mkdirSync(join(dir, 'project'));
  const recordFile = join(dir, 'received.jsonl');
  writeFileSync(
    desktopConfig,
    `{
  // written by hand
  "mcpServers": {
    "echo": {
      "command": "node",
      "args": [${JSON.stringify(ECHO_SERVER)}],
      "env": { "RECORD_FILE": ${JSON.stringify(recordFile)} }
    },
    "notion": { "url": "https://mcp.notion.com/mcp" }
  }
}
`,
  );
  writeFileSync(join(dir, 'project', 'policy.json'), JSON.stringify(POLICY));
  return {
    dir,
    home,
    desktopConfig,
    recordFile,
    env,
    cli: (args, input = '') => spawnSync(process.execPath, [BIN, ...args], { cwd: join(dir, 'project'), env, input, encoding: 'utf8' }),
  };
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const serverIn = (file: string, name: string) => (JSON.parse(readFileSync(file, 'utf8').replace('// written by hand', '')) as { mcpServers: Record<string, Record<string, unknown>> }).mcpServers[name]!;

describe('wrap a Claude Desktop config, then start the server the way the client would', () => {
  it('the wrapped command line runs the server behind mcp-guard, which refuses what the policy denies', async () => {
    const box = sandbox();
    const r = box.cli(['wrap', '--client', 'claude-desktop', '--policy', 'policy.json']);
    expect(r.stderr).toContain('echo: wrapped');
    expect(r.status).toBe(0);

    const server = serverIn(box.desktopConfig, 'echo');
    const command = server.command as string;
    const args = server.args as string[];
    expect(isAbsolute(command)).toBe(true);
    expect(args.slice(1, 4)).toEqual(['--policy', join(box.dir, 'project', 'policy.json'), '--']);
    expect(args.slice(4)).toEqual(['node', ECHO_SERVER]);
    expect(server.env).toEqual({ RECORD_FILE: box.recordFile });
    expect(serverIn(box.desktopConfig, 'notion')).toEqual({ url: 'https://mcp.notion.com/mcp' });

    // As a client starts it: no shell, its own working directory, the entry's env on top.
    const transport = new StdioClientTransport({ command, args, env: { ...box.env, ...(server.env as Record<string, string>) }, cwd: tmpdir(), stderr: 'pipe' });
    const client = new Client({ name: 'e2e-clients', version: '1.0.0' }, { capabilities: {} });
    await client.connect(transport);
    closers.push(() => client.close());
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['echo']);
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).isError).toBeFalsy();
    const refused = await client.callTool({ name: 'shell_exec', arguments: { cmd: 'rm -rf /' } });
    expect(refused.isError).toBe(true);
    expect(refused._meta?.['mcp-guard']).toMatchObject({ decision: 'denied' });
    const calls = readFileSync(box.recordFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { method?: string; params?: { name: string } });
    expect(calls.filter((m) => m.method === 'tools/call').map((m) => m.params!.name)).toEqual(['echo']);
  });
});

describe('clients, wrap and unwrap on the command line', () => {
  it('clients --json lists each server, remote ones too, and whether it is guarded and by which policy', () => {
    const box = sandbox();
    const before = JSON.parse(box.cli(['clients', '--json']).stdout) as { configs: Array<{ client: string; file: string; servers: Array<Record<string, unknown>> }>; searched: unknown[] };
    expect(before.configs.map((c) => [c.client, c.file])).toEqual([['claude-desktop', box.desktopConfig]]);
    expect(before.configs[0]!.servers).toEqual([
      { name: 'echo', transport: 'stdio', command: 'node', args: [ECHO_SERVER], guarded: false },
      { name: 'notion', transport: 'remote', url: 'https://mcp.notion.com/mcp', guarded: false },
    ]);
    expect(before.searched.length).toBe(12);

    expect(box.cli(['wrap', '--policy', 'policy.json']).status).toBe(0);
    const after = JSON.parse(box.cli(['clients', '--json', '--client', 'claude-desktop']).stdout) as typeof before;
    expect(after.configs[0]!.servers[0]).toMatchObject({ name: 'echo', guarded: true, policy: join(box.dir, 'project', 'policy.json'), server: ['node', ECHO_SERVER] });
    const human = box.cli(['clients']);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/echo +guarded +by .*policy\.json: node /);
    expect(human.stdout).toMatch(/notion +remote/);
  });

  it('--dry-run prints a unified diff and writes nothing', () => {
    const box = sandbox();
    const original = readFileSync(box.desktopConfig);
    const r = box.cli(['wrap', '--policy', 'policy.json', '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^--- .*claude_desktop_config\.json\n\+\+\+ .*\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(r.stdout).toMatch(/^- {6}"command": "node",$/m);
    expect(r.stdout).toMatch(/^\+ {6}"args": \[".*mcp-guard\.js", "--policy", ".*policy\.json", "--", "node", /m);
    expect(readFileSync(box.desktopConfig)).toEqual(original);
    expect(readdirSync(join(box.home, '.config', 'Claude'))).toEqual(['claude_desktop_config.json']);
  });

  it('wrap is idempotent, keeps a backup, and unwrap restores the file byte for byte', () => {
    const box = sandbox();
    const original = readFileSync(box.desktopConfig);
    expect(box.cli(['wrap', '--policy', 'policy.json']).status).toBe(0);
    const wrapped = readFileSync(box.desktopConfig);
    const again = box.cli(['wrap', '--policy', 'policy.json']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('already guarded');
    expect(readFileSync(box.desktopConfig)).toEqual(wrapped);
    const backups = readdirSync(join(box.home, '.config', 'Claude')).filter((f) => f.endsWith('.mcp-guard.bak'));
    expect(backups).toHaveLength(1);
    expect(readFileSync(join(box.home, '.config', 'Claude', backups[0]!))).toEqual(original);

    const r = box.cli(['unwrap', '--client', 'claude-desktop']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('echo: unwrapped');
    expect(readFileSync(box.desktopConfig)).toEqual(original);
  });

  it('wraps and unwraps a Codex config.toml (CODEX_HOME) and a project .mcp.json', () => {
    const box = sandbox();
    const codexHome = join(box.dir, 'codex');
    mkdirSync(codexHome);
    copyFileSync(join(ROOT, 'test/fixtures/clients/codex.toml'), join(codexHome, 'config.toml'));
    copyFileSync(join(ROOT, 'test/fixtures/clients/claude-code-project.mcp.json'), join(box.dir, 'project', '.mcp.json'));
    box.env.CODEX_HOME = codexHome;
    const toml = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    const mcpJson = readFileSync(join(box.dir, 'project', '.mcp.json'), 'utf8');

    expect(box.cli(['wrap', '--client', 'codex', '--server', 'bookmarks', 'inline', '--policy', 'policy.json']).status).toBe(0);
    const servers = (parseToml(readFileSync(join(codexHome, 'config.toml'), 'utf8')) as { mcp_servers: Record<string, { args: string[] }> }).mcp_servers;
    expect(servers.bookmarks!.args.slice(3)).toEqual(['--', 'uv', '--directory', '/ABSOLUTE/PATH/TO/bookmarks', 'run', 'bookmarks.py']);
    expect(servers.inline!.args.slice(3, 5)).toEqual(['--', 'npx']);
    expect(servers.context7!.args).toEqual(['-y', '@upstash/context7-mcp']);

    expect(box.cli(['wrap', '--client', 'claude-code', '--policy', 'policy.json']).status).toBe(0);
    expect((JSON.parse(readFileSync(join(box.dir, 'project', '.mcp.json'), 'utf8')) as { mcpServers: { memory: { args: string[] } } }).mcpServers.memory.args[4]).toBe('npx');

    expect(box.cli(['unwrap']).status).toBe(0);
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe(toml);
    expect(readFileSync(join(box.dir, 'project', '.mcp.json'), 'utf8')).toBe(mcpJson);
  });

  it('wrap without --policy off a terminal is a usage error that says to pass --policy', () => {
    const box = sandbox();
    const original = readFileSync(box.desktopConfig);
    const r = box.cli(['wrap', '--client', 'claude-desktop']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mcp-guard: wrap needs --policy/);
    expect(readFileSync(box.desktopConfig)).toEqual(original);
  });

  it('names a server that is not there, and refuses a policy that does not load, writing nothing', () => {
    const box = sandbox();
    const original = readFileSync(box.desktopConfig);
    const unknown = box.cli(['wrap', '--server', 'ecko', '--policy', 'policy.json']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/no server named "ecko" \(did you mean echo\?\)/);
    writeFileSync(join(box.dir, 'project', 'bad.json'), '{ "version": "1", "default": "maybe" }');
    expect(box.cli(['wrap', '--policy', 'bad.json']).status).toBe(2);
    expect(box.cli(['wrap', '--policy', 'missing.json']).status).toBe(2);
    expect(readFileSync(box.desktopConfig)).toEqual(original);
  });

  it('says so when no client config is there', () => {
    const box = sandbox();
    const r = box.cli(['wrap', '--client', 'windsurf', '--policy', 'policy.json']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^mcp-guard: no Windsurf MCP client configuration found/);
    const list = box.cli(['clients', '--client', 'cursor']);
    expect(list.status).toBe(0);
    expect(list.stderr).toContain(join(box.home, '.cursor', 'mcp.json'));
    expect(existsSync(join(box.home, '.cursor'))).toBe(false);
  });
});
