import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './support/guard.js';

const POLICIES = path.join(ROOT, 'test/fixtures/policies');
const LINT_SERVER = path.join(ROOT, 'test/fixtures/lint-server.mjs');
const EVERYTHING = path.join(ROOT, 'node_modules/.bin/mcp-server-everything');
const tmp = mkdtempSync(path.join(tmpdir(), 'mcp-guard-lint-e2e-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function lint(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const env = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, MCP_GUARD_POLICY: undefined, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, 'lint', ...args], { cwd: options.cwd ?? POLICIES, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('mcp-guard lint', () => {
  it('exits 0 on a clean policy and says so', async () => {
    const r = await lint(['clean.yaml']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('✔ no problems in 1 file\n');
  });

  it('exits 1 on errors, printing path:line:col  severity  message  (rule-id) on stdout', async () => {
    const r = await lint(['unknown-key.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('unknown-key.json:5:22  error    tools.python_venv.limit: unknown key "limit"; did you mean "limits"?  (unknown-key)');
    expect(r.stdout).toContain('✖ 1 problem (1 error, 0 warnings) in 1 file');
  });

  it('exits 0 on warnings only, and 1 when they exceed --max-warnings', async () => {
    expect((await lint(['default-allow.yaml'])).code).toBe(0);
    expect((await lint(['default-allow.yaml', '--max-warnings', '1'])).code).toBe(0);
    const over = await lint(['default-allow.yaml', '--max-warnings', '0']);
    expect(over.code).toBe(1);
    expect(over.stdout).toContain('exceed --max-warnings 0');
  });

  it('lints several files in one run', async () => {
    const r = await lint(['unknown-key.json', 'invalid-window.json', 'clean.yaml', '--format', 'json']);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number; column: number }> }>;
    expect(results.map((x) => [path.basename(x.filePath), x.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}`)])).toEqual([
      ['unknown-key.json', ['unknown-key@5:22']],
      ['invalid-window.json', ['invalid-window@5:36']],
      ['clean.yaml', []],
    ]);
  });

  it('lints the discovered policy when no file is given', async () => {
    const project = path.join(tmp, 'project');
    mkdirSync(path.join(project, 'sub'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), '{"name":"p"}');
    copyFileSync(path.join(POLICIES, 'invalid-scope.json'), path.join(project, 'mcp-guard.config.json'));
    const r = await lint([], { cwd: path.join(project, 'sub') });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`mcp-guard: policy ${path.join(project, 'mcp-guard.config.json')}\n`);
    expect(r.stdout).toContain('mcp-guard.config.json:4:75  error    tools.a.limits[0].scope: "grnat" is not a scope');
    const viaEnv = await lint([], { cwd: tmp, env: { MCP_GUARD_POLICY: path.join(POLICIES, 'clean.yaml') } });
    expect(viaEnv.code).toBe(0);
  });

  it('exits 2 when there is nothing to lint: no policy found, a missing file', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'package.json'), '{"name":"e"}');
    const none = await lint([], { cwd: empty });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^mcp-guard: no policy found .*mcp-guard init -o mcp-guard.config.json/);
    const missing = await lint(['nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`mcp-guard: policy file not found: ${path.join(POLICIES, 'nope.json')}\n`);
  });

  it('exits 2 on usage errors', async () => {
    expect((await lint(['--format', 'xml', 'clean.yaml'])).code).toBe(2);
    expect((await lint(['--max-warnings', '-1', 'clean.yaml'])).code).toBe(2);
    const noCommand = await lint(['clean.yaml', '--server']);
    expect(noCommand.code).toBe(2);
    expect(noCommand.stderr).toMatch(/--server needs the server command after "--"/);
    const noServer = await lint(['clean.yaml', '--', 'node', 'x.js']);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toMatch(/only used with --server/);
  });

  it('writes SARIF 2.1.0 and JSON that parse, with the same findings', async () => {
    const sarif = await lint(['--format', 'sarif', 'unknown-key.json']);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }> }> };
    expect(log.version).toBe('2.1.0');
    const [result] = log.runs[0]!.results;
    expect(result!.ruleId).toBe('unknown-key');
    expect(result!.locations[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: 'unknown-key.json' }, region: { startLine: 5, startColumn: 22 } });
  });

  it('honours NO_COLOR and FORCE_COLOR', async () => {
    expect((await lint(['unknown-key.json'], { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[');
    expect((await lint(['unknown-key.json'], { env: { FORCE_COLOR: '0' } })).stdout).not.toContain('\u001b[');
    expect((await lint(['unknown-key.json'], { env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
  });

  it('refuses in run exactly what it reports: the same first error, exit 2', async () => {
    const file = path.join(POLICIES, 'invalid-action.json');
    const linted = JSON.parse((await lint(['--format', 'json', file])).stdout) as Array<{ messages: Array<{ line: number; column: number; message: string; ruleId: string }> }>;
    const first = linted[0]!.messages[0]!;
    const run = await new Promise<Run>((resolve) => {
      execFile(process.execPath, [BIN, '--policy', file, '--', process.execPath, LINT_SERVER], { timeout: 30_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      });
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}:${first.line}:${first.column} ${first.message} (${first.ruleId})`);
  });
});

describe('mcp-guard lint --server', () => {
  it('checks the policy against the fixture server\'s tools (all pages)', async () => {
    const r = await lint(['server-checks.json', '--format', 'json', '--server', '--', process.execPath, LINT_SERVER], { env: { LINT_SERVER_PAGE_SIZE: '2' } });
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string; line: number; column: number; suggestion?: string; message: string }> }>;
    expect(result!.messages.map((m) => [m.ruleId, m.line, m.column, m.suggestion])).toEqual([
      ['unknown-tool', 6, 5, 'python_venv'],
      ['unknown-argument', 8, 33, 'venvPath'],
      ['unguarded-destructive-tool', 10, 5, undefined],
      ['unmatched-glob', 11, 5, undefined],
    ]);
    // list_directory is on the third page: a lint that read one page would call read_* patterns unmatched.
    expect((await lint(['clean.yaml', '--format', 'json', '--server', '--', process.execPath, LINT_SERVER], { env: { LINT_SERVER_PAGE_SIZE: '1' } })).stdout).not.toContain('"read_*"');
  });

  it('checks against @modelcontextprotocol/server-everything', async () => {
    const file = path.join(tmp, 'everything.json');
    writeFileSync(file, JSON.stringify({ version: '1', default: 'deny', tools: { ech: 'allow', 'get-sum': { args: { properties: { x: { type: 'number' } } } }, 'get-*': 'allow' } }, null, 2));
    const r = await lint([file, '--format', 'json', '--server', '--', EVERYTHING]);
    expect(r.code).toBe(1);
    const [result] = JSON.parse(r.stdout) as Array<{ messages: Array<{ ruleId: string; suggestion?: string; message: string }> }>;
    expect(result!.messages.map((m) => [m.ruleId, m.suggestion])).toEqual([
      ['unknown-tool', 'echo'],
      ['unknown-argument', undefined],
    ]);
    expect(result!.messages[1]!.message).toMatch(/the tool "get-sum" has no argument "x" \(it has "a", "b"\)/);
  });

  it('gives up after --timeout, and the server is stopped even if it ignores SIGTERM', async () => {
    const pidFile = path.join(tmp, 'hang.pid');
    const started = Date.now();
    const r = await lint(['clean.yaml', '--server', '--timeout', '1', '--', process.execPath, LINT_SERVER], { env: { LINT_SERVER_MODE: 'hang', LINT_SERVER_PIDFILE: pidFile } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mcp-guard: the server did not list its tools within 1 s/);
    expect(Date.now() - started).toBeLessThan(20_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow(/ESRCH/);
  });

  it('says what the server said when it exits before answering', async () => {
    const r = await lint(['clean.yaml', '--server', '--', process.execPath, LINT_SERVER], { env: { LINT_SERVER_MODE: 'exit' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/could not list the server's tools .*missing configuration/);
  });

  it('says when the server command does not exist', async () => {
    const r = await lint(['clean.yaml', '--server', '--', 'mcp-guard-no-such-server-command']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('mcp-guard: command not found: mcp-guard-no-such-server-command (check the command after "--" and your PATH)\n');
  });
});
