/**
 * Small things a new user meets in the first minutes (issue 13): option values that look like
 * commands, `~` in paths given without a shell, a missing server command, directories that do
 * not exist yet, offline installs, and which state dir `approvals` reads.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ECHO_SERVER, INIT } from './support/guard.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI with `home` as HOME, from `cwd`, with `input` on stdin. */
function cli(args: string[], o: { home: string; cwd?: string; env?: Record<string, string>; input?: string; timeout?: number }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: o.cwd ?? o.home, env: { ...process.env, HOME: o.home, USERPROFILE: o.home, MCP_GUARD_STATE_DIR: '', MCP_GUARD_POLICY: '', ...o.env }, timeout: o.timeout ?? 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end(o.input ?? '');
  });
}

const home = () => realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-home-')));
const allowAll = JSON.stringify({ version: '1', default: 'deny', tools: { echo: 'allow' } });
const initLine = `${JSON.stringify(INIT)}\n`;

describe('option values are not commands', () => {
  it('`-p lint -- node srv` reads `lint` as the policy file and runs the server', async () => {
    const dir = home();
    writeFileSync(join(dir, 'lint'), allowAll);
    const r = await cli(['-p', 'lint', '--state-dir', join(dir, 'state'), '--', process.execPath, ECHO_SERVER], { home: dir, input: initLine });
    // run names the policy it uses.
    expect(r.stderr).toBe(`mcp-guard: policy ${join(dir, 'lint')}\n`);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ id: 0, result: { serverInfo: { name: 'echo-fixture' } } });
  });
});

describe('~ is the home directory in every path option (client configs have no shell)', () => {
  it('--policy, --state-dir and --audit-log', async () => {
    const dir = home();
    writeFileSync(join(dir, 'p.json'), allowAll);
    const r = await cli(['--policy', '~/p.json', '--state-dir', '~/state', '--audit-log', '~/logs/audit.jsonl', '--', process.execPath, ECHO_SERVER], {
      home: dir,
      cwd: tmpdir(),
      input: initLine + `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } })}\n`,
    });
    expect(r.stderr).toBe(`mcp-guard: policy ${join(dir, 'p.json')}\n`);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'logs/audit.jsonl'), 'utf8')).toContain('"tool":"echo"');
    expect(existsSync(join(tmpdir(), '~'))).toBe(false);
  });

  it('check --policy, lint files, approvals --state-dir', async () => {
    const dir = home();
    writeFileSync(join(dir, 'p.json'), allowAll);
    expect((await cli(['check', '-p', '~/p.json', 'echo'], { home: dir, cwd: tmpdir() })).code).toBe(0);
    expect((await cli(['lint', '~/p.json'], { home: dir, cwd: tmpdir() })).code).toBe(0);
    const approvals = await cli(['approvals', '--json', '--state-dir', '~/state'], { home: dir, cwd: tmpdir() });
    expect(approvals.code).toBe(0);
    expect(statSync(join(dir, 'state')).isDirectory()).toBe(true);
  });

  it('init -o ~/.config/mcp-guard/x.json makes the missing directories', async () => {
    const dir = home();
    const r = await cli(['init', '-o', '~/.config/mcp-guard/x.json', '--', process.execPath, ECHO_SERVER], { home: dir, cwd: tmpdir() });
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, '.config/mcp-guard/x.json'), 'utf8'))).toMatchObject({ version: '1', default: 'deny' });
  });

  it("venv create '~/x' creates the venv in the home directory, not ./~/x", async () => {
    const dir = home();
    const cwd = mkdtempSync(join(tmpdir(), 'mcp-guard-cwd-'));
    const r = await cli(['venv', 'create', '~/envs/x', '--no-uv', '--json'], { home: dir, cwd, timeout: 120_000 });
    expect(r.stderr).toMatch(/^(mcp-guard: .*\n)*$/);
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'envs/x/pyvenv.cfg'))).toBe(true);
    expect(existsSync(join(cwd, '~'))).toBe(false);
  }, 130_000);
});

describe('a missing server command says to put it after --', () => {
  it.each([[['--policy', 'p.json']], [['run', '-p', 'p.json']], [['init', '-o', 'x.json']]])('mcp-guard %j', async (args) => {
    const dir = home();
    const r = await cli(args, { home: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^mcp-guard: .*after "--"/);
  });
});

describe('approvals names the state store it read', () => {
  it('in its listing, and on stderr with --json so that stdout stays an array', async () => {
    const dir = home();
    const state = join(dir, 'somewhere', 'state');
    const listed = await cli(['approvals', '--state-dir', state], { home: dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(state);
    const json = await cli(['approvals', '--json'], { home: dir, env: { MCP_GUARD_STATE_DIR: state } });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([]);
    expect(json.stderr).toContain(state);
    // The default one too.
    const fallback = await cli(['approvals'], { home: dir, env: { XDG_STATE_HOME: join(dir, 'xdg') } });
    expect(fallback.stdout).toContain(join(dir, 'xdg', 'mcp-guard'));
  });

  it('and approve names it when there is no such id', async () => {
    const dir = home();
    const state = join(dir, 'state');
    mkdirSync(state, { mode: 0o700 });
    const r = await cli(['approve', 'nope', '--state-dir', state], { home: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(state);
  });
});

describe('venv create offline', () => {
  it('reports that the package index could not be reached, not only "No matching distribution"', async () => {
    const dir = home();
    // An index nobody listens on, no pip configuration (it may name local wheel directories), one retry.
    const r = await cli(['venv', 'create', 'env', '--no-uv', '--packages', 'flask'], {
      home: dir,
      env: { PIP_INDEX_URL: 'http://127.0.0.1:9/simple', PIP_CONFIG_FILE: '/dev/null', PIP_RETRIES: '1', PIP_TIMEOUT: '5', PIP_NO_INPUT: '1' },
      timeout: 120_000,
    });
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toMatch(/^mcp-guard: pip install failed .*could not be reached.*Failed to establish a new connection/);
    expect(existsSync(join(dir, 'env'))).toBe(false);
  }, 130_000);
});
