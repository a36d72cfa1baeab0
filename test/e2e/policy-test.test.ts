import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/guard.js';
import { cli, files } from './support/cli.js';

interface JsonCase {
  name: string;
  passed: boolean;
  expect: string;
  rule?: string;
  actual: { decision: string; rule: string; reason?: string; retryAfterSeconds?: number };
  call: number;
  calls: number;
  at: number;
  file: string;
  line: number;
  column: number;
}
interface JsonRun {
  passed: number;
  failed: number;
  policies: Array<{ policy: string; suites: Array<{ file: string; cases: JsonCase[] }> }>;
  skipped: string[];
}

async function testJson(args: string[], o: { cwd?: string } = {}) {
  const run = await cli(['test', '--json', ...args], o);
  return { ...run, result: JSON.parse(run.stdout) as JsonRun };
}

const SEED = {
  version: '1',
  default: 'deny',
  tools: {
    python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] },
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
    read_file: { args: { type: 'object', properties: { path: { type: 'string', 'x-path-within': ['/tmp'] } }, required: ['path'], additionalProperties: false } },
    delete_file: 'ask',
  },
  resources: { 'file:///public/**': 'allow' },
  prompts: { greet: 'allow' },
  methods: { 'sampling/createMessage': 'deny' },
};

describe('mcp-guard test over examples/', () => {
  it('runs every example policy (examples/*, as a shell expands it) and every case passes', async () => {
    const entries = readdirSync(join(ROOT, 'examples')).map((f) => join('examples', f));
    const run = await testJson(entries);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.result.failed).toBe(0);
    const policies = run.result.policies.map((p) => p.policy.slice(ROOT.length + 1)).sort();
    expect(policies).toEqual(entries.filter((f) => /\.policy\.(json|yaml)$/.test(f)).sort());
    for (const p of run.result.policies) expect(p.suites.flatMap((s) => s.cases).length, p.policy).toBeGreaterThanOrEqual(4);
    // The demo script is not a policy: it is named, not run.
    expect(run.result.skipped).toEqual(['examples/demo.mjs']);
    expect(run.stderr).toMatch(/^mcp-guard: skipped examples\/demo\.mjs: not a policy file/);
  });
});

describe('mcp-guard test', () => {
  it('prints one line per case and "N passed, M failed", and exits 0 when all pass', async () => {
    const dir = files({
      'policy.json': {
        ...SEED,
        tests: [
          { name: 'no shell', call: 'shell_exec', expect: 'denied', rule: 'tools.shell_exec' },
          { call: { tool: 'read_file', arguments: { path: '/tmp/notes.txt' } }, expect: 'allowed', rule: 'tools.read_file' },
          { call: { tool: 'read_file', arguments: { path: '/tmp/../etc/passwd' } }, expect: 'invalid_arguments', rule: 'tools.read_file.args' },
          { call: 'delete_file', expect: 'ask', rule: 'tools.delete_file' },
          { resource: 'file:///public/readme.txt', expect: 'allowed' },
          { resource: 'file:///secrets/key.pem', expect: 'denied', rule: 'default' },
          { prompt: { name: 'greet', arguments: { who: 'you' } }, expect: 'allowed' },
          { method: 'sampling/createMessage', expect: 'denied', rule: 'methods.sampling/createMessage' },
        ],
      },
    });
    const run = await cli(['test', 'policy.json'], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => l.startsWith('  ✓ '))).toHaveLength(8);
    expect(lines).toContain('  ✓ no shell');
    expect(lines[lines.length - 1]).toBe('8 passed, 0 failed');
  });

  it('shows a failing case with what it expected, what it got, the rule that decided and where the case is; exits 1', async () => {
    const dir = files({
      'policy.json': `{
  "version": "1",
  "default": "deny",
  "tools": { "shell_exec": { "action": "deny", "reason": "no shell from agents" }, "echo": "allow" },
  "tests": [
    { "call": "echo", "expect": "allowed" },
    { "name": "shell is allowed (it is not)", "call": "shell_exec", "expect": "allowed", "rule": "tools.shell_exec" },
    { "call": "echo", "expect": "allowed", "rule": "default" }
  ]
}
`,
    });
    const run = await cli(['test', 'policy.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  ✗ shell is allowed (it is not)\n      expected allowed by tools.shell_exec\n      actual   denied by tools.shell_exec\n      reason   no shell from agents\n      at policy.json:7:5\n');
    expect(run.stdout).toContain('      expected allowed by default\n      actual   allowed by tools.echo\n');
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('1 passed, 2 failed');

    const json = await testJson(['policy.json'], { cwd: dir });
    expect(json.code).toBe(1);
    expect(json.result).toMatchObject({ passed: 1, failed: 2 });
    const [suite] = json.result.policies[0]!.suites;
    expect(suite!.file).toBe(join(dir, 'policy.json'));
    expect(suite!.cases[1]).toMatchObject({
      name: 'shell is allowed (it is not)',
      passed: false,
      expect: 'allowed',
      rule: 'tools.shell_exec',
      actual: { decision: 'denied', rule: 'tools.shell_exec', reason: 'no shell from agents' },
      line: 7,
      column: 5,
    });
  });

  it('simulates limits on a virtual clock: ten a minute, the 11th refused, allowed again 60 s later', async () => {
    const dir = files({
      'seed.json': {
        ...SEED,
        tests: [
          { call: 'python_venv', repeat: 10, expect: 'allowed' },
          { call: 'python_venv', at: 30, expect: 'rate_limited', rule: 'tools.python_venv.limits[0]' },
          { call: 'python_venv', at: 59.999, expect: 'rate_limited' },
          { call: 'python_venv', at: 60, expect: 'allowed' },
          { name: 'the window slides: 9 more fit at 60 s, the 10th does not', call: 'python_venv', repeat: 10, expect: 'allowed' },
        ],
      },
    });
    const run = await testJson(['seed.json'], { cwd: dir });
    expect(run.code).toBe(1);
    const cases = run.result.policies[0]!.suites[0]!.cases;
    expect(cases.map((c) => c.passed)).toEqual([true, true, true, true, false]);
    expect(cases[1]).toMatchObject({ at: 30, actual: { decision: 'rate_limited', retryAfterSeconds: 30 } });
    expect(cases[4]).toMatchObject({ at: 60, call: 10, calls: 10, actual: { decision: 'rate_limited', rule: 'tools.python_venv.limits[0]' } });
  });

  it('reads test files beside the policy (<name>.test.json / .yaml, and <stem>.test.* for <stem>.policy.*), each on its own clock', async () => {
    const dir = files({
      'app.policy.json': SEED,
      'app.policy.test.json': { tests: [{ call: 'python_venv', repeat: 10, expect: 'allowed' }] },
      'app.test.yaml': '# the same counters would be full here, were they shared\n- call: python_venv\n  repeat: 10\n  expect: allowed\n- call: python_venv\n  expect: rate_limited\n',
    });
    const run = await testJson(['app.policy.json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.result.policies[0]!.suites.map((s) => [s.file, s.cases.length])).toEqual([
      [join(dir, 'app.policy.test.json'), 1],
      [join(dir, 'app.test.yaml'), 2],
    ]);
    expect(run.result.policies[0]!.suites[1]!.cases[1]).toMatchObject({ line: 5, column: 3 });
    // Given a test file, it tests the policy beside it.
    const byTestFile = await testJson(['app.test.yaml'], { cwd: dir });
    expect(byTestFile.result.policies.map((p) => p.policy)).toEqual([join(dir, 'app.policy.json')]);
    expect(byTestFile.result.passed).toBe(3);
  });

  it('tests the discovered policy when given no file', async () => {
    const dir = files({
      'package.json': { name: 'p' },
      'mcp-guard.config.json': { ...SEED, tests: [{ call: 'shell_exec', expect: 'denied' }] },
    });
    const run = await testJson([], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.result.policies.map((p) => p.policy)).toEqual([join(dir, 'mcp-guard.config.json')]);
  });

  it('exits 1 when no case ran', async () => {
    const dir = files({ 'policy.json': SEED });
    const run = await cli(['test', 'policy.json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('no test cases');
    expect(run.stdout.trimEnd().split('\n').pop()).toBe('0 passed, 0 failed: no test cases ran');
  });

  it('exits 2 with the position of a bad case, in the policy or in a test file', async () => {
    const inPolicy = files({
      'policy.json': `{
  "version": "1",
  "tools": { "echo": "allow" },
  "tests": [
    { "call": "echo", "expect": "alowed" }
  ]
}
`,
    });
    const bad = await cli(['test', 'policy.json'], { cwd: inPolicy });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/^mcp-guard: .*policy\.json:5:33 tests\[0\]\.expect: "alowed" is not a decision; .*did you mean "allowed"\? \(invalid-value\)\n$/);

    const inTestFile = files({
      'policy.json': SEED,
      'policy.test.yaml': 'tests:\n  - call: shell_exec\n    expect: denied\n  - call: shell_exec\n    at: 10\n  - call: shell_exec\n    resource: file:///x\n    expect: denied\n',
    });
    const run = await cli(['test', 'policy.json'], { cwd: inTestFile });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^mcp-guard: .*policy\.test\.yaml:4:5 tests\[1\]: missing required key "expect".*\(missing-key\), and 1 more; run mcp-guard lint .*\n$/);
    // lint shows every problem of the test file, with positions, when it lints the policy.
    const lint = await cli(['lint', '--format', 'json', 'policy.json'], { cwd: inTestFile });
    expect(lint.code).toBe(1);
    const results = JSON.parse(lint.stdout) as Array<{ filePath: string; messages: Array<{ ruleId: string; line: number; column: number }> }>;
    expect(results.map((r) => [r.filePath, r.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}`)])).toEqual([
      [join(inTestFile, 'policy.json'), []],
      [join(inTestFile, 'policy.test.yaml'), ['missing-key@4:5', 'invalid-test-case@7:5']],
    ]);
  });

  it('exits 2 for usage errors: no policy, a test file with no policy, nothing that is a policy', async () => {
    const empty = files({ 'package.json': { name: 'p' } });
    const cases: Array<[string[], RegExp]> = [
      [['test'], /no policy found/],
      [['test', 'missing.json'], /policy file not found/],
      [['test', 'orphan.test.json'], /no policy beside this test file/],
      [['test', 'notes.md'], /no policy among notes\.md/],
    ];
    writeFileSync(join(empty, 'orphan.test.json'), '[]');
    writeFileSync(join(empty, 'notes.md'), '# notes');
    for (const [args, message] of cases) {
      const run = await cli(args, { cwd: empty });
      expect({ args, code: run.code }).toEqual({ args, code: 2 });
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toMatch(/^(mcp-guard: [^\n]*\n)+$/);
    }
  });

  it('colours the marks only when colour is asked for', async () => {
    const dir = files({ 'policy.json': { ...SEED, tests: [{ call: 'shell_exec', expect: 'denied' }, { call: 'shell_exec', expect: 'allowed' }] } });
    const coloured = await cli(['test', 'policy.json'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\u001b[32m✓\u001b[39m');
    expect(coloured.stdout).toContain('\u001b[31m✗\u001b[39m');
    const plain = await cli(['test', 'policy.json'], { cwd: dir });
    expect(plain.stdout).not.toContain('\u001b[');
  });
});
