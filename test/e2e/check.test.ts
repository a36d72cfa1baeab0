import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ROOT } from './support/guard.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built CLI as a process, the way a CI job would run `mcp-guard check`. */
function cli(args: string[], o: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', MCP_GUARD_POLICY: '', ...o.env };
  // The test runner may force colour for itself; the CLI must see a plain environment.
  if (!o.env || !('FORCE_COLOR' in o.env)) delete env.FORCE_COLOR;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: o.cwd ?? ROOT, env },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function checkJson(policyFile: string, ...args: string[]) {
  const run = await cli(['check', '--json', '-p', policyFile, ...args]);
  // check names the policy it judged by, on stderr; stdout is the decision alone.
  expect(run.stderr).toBe(`mcp-guard: policy ${policyFile}\n`);
  return { code: run.code, result: JSON.parse(run.stdout) as Record<string, unknown> };
}

function policyFile(policy: unknown, name = 'policy.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-check-'));
  const file = join(dir, name);
  writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  return file;
}

const POLICY = policyFile({
  version: '1',
  default: 'deny',
  hide: ['transfer_*'],
  methods: { 'sampling/createMessage': 'deny' },
  tools: {
    read_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': ['/tmp'] } }, required: ['path'], additionalProperties: false } },
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
    python_venv: {
      limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }],
      rules: [{ when: { properties: { action: { const: 'delete' } }, required: ['action'] }, action: 'ask', reason: 'deleting needs a yes' }],
    },
    create_charge: { limits: [{ window: 'day', max: 100, increment_from: 'amount' }] },
    'get_*': { rate_limit: '2/second' },
  },
  resources: { 'file:///home/me/secrets/**': 'deny', 'file:///**': 'allow' },
  prompts: { greet: 'allow' },
});

describe('mcp-guard check', () => {
  it('prints an allowed call with the rule that decided it, and exits 0', async () => {
    const run = await cli(['check', '-p', POLICY, 'read_file', '{"path":"/tmp/notes.txt"}']);
    expect(run).toMatchObject({ code: 0, stderr: `mcp-guard: policy ${POLICY}\n` });
    expect(run.stdout).toMatch(/^allowed\s+tools\/call read_file\s+rule tools\.read_file\n$/);
  });

  it('prints a refusal with its reason and exits 1', async () => {
    const run = await cli(['check', '-p', POLICY, 'shell_exec', '{"cmd":"ls"}']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('refused: denied');
    expect(run.stdout).toContain('rule tools.shell_exec');
    expect(run.stdout).toContain('reason no shell from agents');
  });

  it('--json gives the decision, the rule path and whether the agent can see the tool', async () => {
    expect(await checkJson(POLICY, 'shell_exec')).toEqual({
      code: 1,
      result: {
        method: 'tools/call',
        tool: 'shell_exec',
        outcome: 'refuse',
        decision: 'denied',
        rule: 'tools.shell_exec',
        reason: 'no shell from agents',
        visible: true,
        calls: 1,
        policy: POLICY,
      },
    });
    const unlisted = await checkJson(POLICY, 'delete_everything');
    expect(unlisted).toMatchObject({ code: 1, result: { decision: 'denied', rule: 'default', visible: false } });
    const hidden = await checkJson(POLICY, 'transfer_repository');
    expect(hidden).toMatchObject({ code: 1, result: { decision: 'denied', rule: 'hide', visible: false } });
  });

  it('refuses arguments the args schema rejects, naming the argument', async () => {
    const outside = await checkJson(POLICY, 'read_file', '{"path":"/etc/passwd"}');
    expect(outside).toMatchObject({ code: 1, result: { decision: 'invalid_arguments', rule: 'tools.read_file.args' } });
    expect(outside.result.reason).toContain('path');
    const climbing = await checkJson(POLICY, 'read_file', '{"path":"/tmp/../etc/passwd"}');
    expect(climbing.result).toMatchObject({ decision: 'invalid_arguments' });
    const missing = await checkJson(POLICY, 'read_file');
    expect(missing.result).toMatchObject({ decision: 'invalid_arguments', rule: 'tools.read_file.args' });
  });

  it('names the when-rule that matched, and exits 1 for a call that asks a person', async () => {
    const ask = await checkJson(POLICY, 'python_venv', '{"action":"delete","venvPath":"/tmp/v"}');
    expect(ask).toMatchObject({ code: 1, result: { outcome: 'ask', decision: 'ask', rule: 'tools.python_venv.rules[0]', reason: 'deleting needs a yes' } });
    const info = await checkJson(POLICY, 'python_venv', '{"action":"info"}');
    expect(info).toMatchObject({ code: 0, result: { outcome: 'allow', rule: 'tools.python_venv' } });
    expect(info.result.limits).toEqual([{ counter: 'python_venv_rate', max: 10, windowSeconds: 60, scope: 'grant', amount: 1, rule: 'tools.python_venv.limits[0]' }]);
  });

  it('--repeat shows the call that trips a limit, and touches no real counter', async () => {
    const stateDir = join(mkdtempSync(join(tmpdir(), 'mcp-guard-check-state-')), 'state');
    const tenth = await cli(['check', '--json', '-p', POLICY, '--repeat', '10', 'python_venv', '{}'], { env: { MCP_GUARD_STATE_DIR: stateDir } });
    expect(tenth.code).toBe(0);
    const eleventh = await cli(['check', '--json', '-p', POLICY, '--repeat', '11', 'python_venv', '{}'], { env: { MCP_GUARD_STATE_DIR: stateDir } });
    expect(eleventh.code).toBe(1);
    expect(JSON.parse(eleventh.stdout)).toMatchObject({ decision: 'rate_limited', rule: 'tools.python_venv.limits[0]', retryAfterSeconds: 60, calls: 11 });
    // The grant counter lives in the state database; check must not have created or charged it.
    expect(existsSync(stateDir)).toBe(false);

    const glob = await checkJson(POLICY, '--repeat', '3', 'get_issue');
    expect(glob.result).toMatchObject({ decision: 'rate_limited', rule: 'tools.get_*.rate_limit', retryAfterSeconds: 1 });
  });

  it('judges spend caps by the amount argument', async () => {
    expect((await checkJson(POLICY, 'create_charge', '{"amount":100}')).result).toMatchObject({ decision: 'allowed' });
    expect((await checkJson(POLICY, 'create_charge', '{"amount":101}')).result).toMatchObject({ decision: 'rate_limited', rule: 'tools.create_charge.limits[0]' });
    expect((await checkJson(POLICY, 'create_charge', '{"amount":"lots"}')).result).toMatchObject({ decision: 'invalid_arguments' });
  });

  it('refuses a name that matches an entry only after case folding', async () => {
    const variant = await checkJson(POLICY, 'Shell_Exec');
    expect(variant).toMatchObject({ code: 1, result: { decision: 'denied', rule: 'tools.shell_exec' } });
  });

  it('judges resources and prompts', async () => {
    expect(await checkJson(POLICY, '--resource', 'file:///home/me/secrets/key.pem')).toMatchObject({
      code: 1,
      result: { method: 'resources/read', uri: 'file:///home/me/secrets/key.pem', decision: 'denied', rule: 'resources.file:///home/me/secrets/**' },
    });
    expect(await checkJson(POLICY, '--resource', 'file:///home/me/readme.md')).toMatchObject({ code: 0, result: { rule: 'resources.file:///**' } });
    expect(await checkJson(POLICY, '--prompt', 'greet')).toMatchObject({ code: 0, result: { method: 'prompts/get', prompt: 'greet', rule: 'prompts.greet' } });
    expect(await checkJson(POLICY, '--prompt', 'internal_debug')).toMatchObject({ code: 1, result: { rule: 'default' } });
  });

  it('reads YAML policies, $MCP_GUARD_POLICY and discovered config files', async () => {
    const yaml = policyFile('version: "1"\ndefault: deny\ntools:\n  echo: allow\n', 'policy.yaml');
    expect((await checkJson(yaml, 'echo')).code).toBe(0);
    const byEnv = await cli(['check', 'echo'], { env: { MCP_GUARD_POLICY: yaml } });
    expect(byEnv.code).toBe(0);
    const project = mkdtempSync(join(tmpdir(), 'mcp-guard-check-project-'));
    writeFileSync(join(project, 'package.json'), '{"name":"p"}');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'mcp-guard.config.json'), JSON.stringify({ version: '1', default: 'deny', tools: { echo: 'deny' } }));
    const discovered = await cli(['check', '--json', 'echo'], { cwd: join(project, 'src') });
    expect(discovered.code).toBe(1);
    expect(discovered.stderr).toBe(`mcp-guard: policy ${join(project, 'mcp-guard.config.json')}\n`);
    expect(JSON.parse(discovered.stdout)).toMatchObject({ rule: 'tools.echo', policy: join(project, 'mcp-guard.config.json') });
  });

  it('prints the policy warnings on stderr, and still decides', async () => {
    const lax = policyFile({ version: '1', default: 'allow' });
    const run = await cli(['check', '-p', lax, 'anything']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^mcp-guard: policy .*\nmcp-guard: .*warning: .*\(default-allow\)\n$/);
    expect(run.stdout).toContain('rule default');
  });

  it('exits 2 with one line for usage and policy errors', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['check', '-p', POLICY, 'echo', '{"path":'], /the arguments are not valid JSON/],
      [['check', '-p', POLICY, 'echo', '[1,2]'], /must be a JSON object/],
      [['check', '-p', POLICY, '--prompt', '--resource', 'x'], /cannot be used together/],
      [['check', '-p', POLICY, '--repeat', '0', 'echo'], /--repeat/],
      [['check', '-p', join(tmpdir(), 'no-such-policy.json'), 'echo'], /policy file not found/],
      [['check', '-p', policyFile({ version: '1', tools: { a: { action: 'alow' } } }), 'a'], /alow/],
      [['check', '-p', policyFile('{ "version": "1", '), 'a'], /policy\.json:1:/],
      [['check', '-p', policyFile('module.exports = { version: "1", default: "allow" };', 'mcp-guard.config.js'), 'a'], /mcp-guard\.config\.js is a program, not a policy/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(args);
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/^mcp-guard: [^\n]*\n$/);
    }
    const noPolicy = await cli(['check', 'echo'], { cwd: mkdtempSync(join(tmpdir(), 'mcp-guard-check-empty-')) });
    expect(noPolicy.code).toBe(2);
    expect(noPolicy.stderr).toMatch(/no policy found.*mcp-guard init/);
  });

  it('colours the verdict only when colour is asked for', async () => {
    const plain = await cli(['check', '-p', POLICY, 'shell_exec']);
    expect(plain.stdout).not.toContain('\u001b[');
    const coloured = await cli(['check', '-p', POLICY, 'shell_exec'], { env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/^\u001b\[31mrefused: denied\u001b\[39m/);
  });

  it('has help with examples', async () => {
    const run = await cli(['check', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Usage: mcp-guard check');
    expect(run.stdout).toMatch(/Examples:\n\s+mcp-guard check /);
  });
});
