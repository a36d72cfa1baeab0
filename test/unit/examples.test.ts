import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { lintFiles } from '../../src/lint/lint-files.js';
import { type CompiledPolicy, compilePolicy } from '../../src/policy/engine/compile.js';
import { decideResource, decideToolCall, isToolVisible } from '../../src/policy/engine/decide.js';
import { loadPolicy } from '../../src/policy/load.js';
import { hostFileSystem } from '../../src/policy/host-file-system.js';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const POLICY_FILES = readdirSync(EXAMPLES).filter((f) => /\.policy\.(json|ya?ml)$/.test(f));

const compiled = new Map<string, CompiledPolicy>();
beforeAll(async () => {
  for (const file of POLICY_FILES) {
    const loaded = await loadPolicy(join(EXAMPLES, file));
    compiled.set(file, await compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() }));
  }
});

describe('examples/', () => {
  it('ships a policy for each server the README names, and the seed', () => {
    expect(POLICY_FILES.sort()).toEqual([
      'demo.policy.json',
      'devtools.policy.json',
      'everything.policy.json',
      'filesystem.policy.json',
      'github.policy.json',
      'memory.policy.yaml',
      'payments.policy.json',
      'python-venv.policy.json',
    ]);
  });

  it('every example lints clean, with its test file: no errors, no warnings', async () => {
    const results = await lintFiles(POLICY_FILES.map((f) => join(EXAMPLES, f)));
    // lint takes a policy's test file with it, right after the policy.
    const linted = POLICY_FILES.flatMap((f) => (f === 'python-venv.policy.json' ? [f, 'python-venv.policy.test.json'] : [f]));
    // Notes (info) are not problems: payments.policy.json is in PolicyLayer's format, and lint says what each construct is here.
    const problems = (r: (typeof results)[number]) => r.problems.filter((p) => p.severity !== 'info');
    expect(results.map((r) => ({ file: r.file, problems: problems(r).map((p) => `${p.line}:${p.column} ${p.message} (${p.ruleId})`) }))).toEqual(
      linted.map((f) => ({ file: join(EXAMPLES, f), problems: [] })),
    );
  });

  it('every example carries test cases: in its "tests" key, or (the seed, kept verbatim) in a test file beside it', async () => {
    for (const file of POLICY_FILES) {
      const { document } = await loadPolicy(join(EXAMPLES, file));
      if (file === 'python-venv.policy.json') expect(readdirSync(EXAMPLES), file).toContain('python-venv.policy.test.json');
      else expect(document.tests?.length, file).toBeGreaterThan(5);
    }
  });

  it('every example but the seed says what it is for, and points editors at the schema', async () => {
    for (const file of POLICY_FILES.filter((f) => f !== 'python-venv.policy.json')) {
      const { document } = await loadPolicy(join(EXAMPLES, file));
      expect(document.description, file).toEqual(expect.any(String));
      expect(document.default, file).toBe('deny');
    }
  });

  it('every example names the schema by a path relative to itself, which resolves in a clone and in the package alike', () => {
    const SCHEMA = resolve(EXAMPLES, '../schema/policy.schema.json');
    for (const file of POLICY_FILES.filter((f) => f !== 'python-venv.policy.json')) {
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      const named = file.endsWith('.json') ? (JSON.parse(text) as { $schema?: string }).$schema : /^# yaml-language-server: \$schema=(\S+)$/m.exec(text)?.[1];
      expect(named, file).toBe('../schema/policy.schema.json');
      expect(existsSync(resolve(dirname(join(EXAMPLES, file)), named!)), file).toBe(true);
      expect(resolve(EXAMPLES, named!)).toBe(SCHEMA);
    }
  });

  it('python-venv.policy.json is the seed, verbatim', async () => {
    const { document } = await loadPolicy(join(EXAMPLES, 'python-venv.policy.json'));
    expect(document).toEqual({
      version: '1',
      default: 'deny',
      tools: { python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] } },
    });
  });
});

type Expect = Record<string, unknown>;
/** A path under ~/projects, where filesystem.policy.json confines the agent. */
const project = (p: string) => join(homedir(), 'projects', p);
const secret = 'this file holds secrets';

/** [example, tool, arguments, what the decision must contain] */
const CALLS: Array<[string, string, Record<string, unknown>, Expect]> = [
  // The seed: python_venv with a shared grant counter; nothing else.
  ['python-venv.policy.json', 'python_venv', { action: 'delete' }, { outcome: 'allow', rule: 'tools.python_venv', charges: [expect.objectContaining({ counter: 'python_venv_rate', scope: 'grant', max: 10, windowMs: 60_000 })] }],
  ['python-venv.policy.json', 'python_test', {}, { outcome: 'refuse', decision: 'denied', rule: 'default' }],

  // MCP DevTools Server's python_venv, with paths and approval.
  ['devtools.policy.json', 'python_venv', { action: 'info', venvPath: '/tmp/app/.venv' }, { outcome: 'allow', rule: 'tools.python_venv' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: join(homedir(), 'projects/app/.venv'), python: 'python3.12' }, { outcome: 'allow' }],
  ['devtools.policy.json', 'python_venv', { action: 'delete', venvPath: '/tmp/app/.venv' }, { outcome: 'ask', rule: 'tools.python_venv.rules[0]' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', clear: true, venvPath: '/tmp/app/.venv' }, { outcome: 'ask', rule: 'tools.python_venv.rules[0]' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: '/etc/venv' }, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.python_venv.args' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: '/tmp/../etc/venv' }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: '../../escape' }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', directory: '/', venvPath: '/tmp/v' }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: '/tmp/v', python: '/tmp/evil/python' }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'python_venv', { action: 'create', venvPath: '/tmp/v', args: ['--system-site-packages'] }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'python_venv', { action: 'drop' }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['devtools.policy.json', 'make_lint', {}, { outcome: 'refuse', rule: 'default' }],

  // server-filesystem: paths inside ~/projects, reads pass, secrets never (however spelled), writes ask.
  ['filesystem.policy.json', 'read_text_file', { path: project('app/README.md') }, { outcome: 'allow', rule: 'tools.read_text_file' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('app/.env') }, { outcome: 'refuse', decision: 'denied', rule: 'tools.read_text_file.rules[0]', reason: expect.stringContaining(secret) }],
  ['filesystem.policy.json', 'read_text_file', { path: project('app/.env.production') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('app/.ENV') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('.ssh/id_ed25519') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('app\\.aws\\credentials') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('tls/server.pem') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('tls/server.pem/') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('tls/Server.PEM/.') }, { outcome: 'refuse', rule: 'tools.read_text_file.rules[0]' }],
  ['filesystem.policy.json', 'read_text_file', { path: project('app/environment.md') }, { outcome: 'allow' }],
  ['filesystem.policy.json', 'read_text_file', { path: '/srv/tls/server.crt' }, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.read_text_file.args' }],
  ['filesystem.policy.json', 'read_text_file', { Path: project('app/README.md') }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['filesystem.policy.json', 'read_file', { path: project('.netrc') }, { outcome: 'refuse', rule: 'tools.read_file.rules[0]' }],
  ['filesystem.policy.json', 'read_media_file', { path: project('logo.png') }, { outcome: 'allow' }],
  ['filesystem.policy.json', 'read_multiple_files', { paths: [project('p/a.ts'), project('p/b.ts')] }, { outcome: 'allow' }],
  ['filesystem.policy.json', 'read_multiple_files', { paths: [project('p/a.ts'), project('p/.env')] }, { outcome: 'refuse', rule: 'tools.read_multiple_files.rules[0]' }],
  ['filesystem.policy.json', 'list_directory', { path: project('app') }, { outcome: 'allow', rule: 'tools.list_directory' }],
  ['filesystem.policy.json', 'list_directory', { path: project('.ssh') }, { outcome: 'refuse', rule: 'tools.list_directory.rules[0]' }],
  ['filesystem.policy.json', 'create_directory', { path: project('p/new') }, { outcome: 'allow', charges: [expect.objectContaining({ rule: 'tools.create_directory.rate_limit', max: 20 }), expect.objectContaining({ counter: 'all_tools', max: 120 })] }],
  ['filesystem.policy.json', 'write_file', { path: project('p/notes.md'), content: 'x' }, { outcome: 'ask', rule: 'tools.write_file' }],
  ['filesystem.policy.json', 'write_file', { path: project('.ssh/authorized_keys'), content: 'ssh-ed25519 AAAA' }, { outcome: 'refuse', rule: 'tools.write_file.rules[0]' }],
  ['filesystem.policy.json', 'edit_file', { path: project('p/a.ts'), edits: [] }, { outcome: 'ask', rule: 'tools.edit_file' }],
  ['filesystem.policy.json', 'edit_file', { path: project('p/a.ts'), edits: [], dryRun: true }, { outcome: 'allow', rule: 'tools.edit_file.rules[1]' }],
  ['filesystem.policy.json', 'edit_file', { path: project('p/.env'), edits: [], dryRun: true }, { outcome: 'refuse', rule: 'tools.edit_file.rules[0]' }],
  ['filesystem.policy.json', 'move_file', { source: project('p/a'), destination: project('p/b') }, { outcome: 'ask', rule: 'tools.move_file' }],
  ['filesystem.policy.json', 'move_file', { source: project('p/key.pem'), destination: project('p/b') }, { outcome: 'refuse', rule: 'tools.move_file.rules[0]' }],
  ['filesystem.policy.json', 'delete_file', { path: project('p/a') }, { outcome: 'refuse', rule: 'default' }],

  // server-github: reads pass, writes capped, never straight to main.
  ['github.policy.json', 'get_file_contents', { owner: 'o', repo: 'r', path: 'README.md' }, { outcome: 'allow', rule: 'tools.get_*' }],
  ['github.policy.json', 'list_issues', { owner: 'o', repo: 'r' }, { outcome: 'allow', rule: 'tools.list_*' }],
  ['github.policy.json', 'search_code', { q: 'x' }, { outcome: 'allow', rule: 'tools.search_*', charges: [expect.objectContaining({ max: 30, windowMs: 60_000 }), expect.anything()] }],
  ['github.policy.json', 'create_issue', { owner: 'o', repo: 'r', title: 't' }, { outcome: 'allow', charges: [expect.objectContaining({ counter: 'github_writes', max: 30 }), expect.objectContaining({ counter: 'all_tools' })] }],
  ['github.policy.json', 'push_files', { owner: 'o', repo: 'r', branch: 'main', files: [], message: 'm' }, { outcome: 'refuse', decision: 'denied', rule: 'tools.push_files.rules[0]' }],
  ['github.policy.json', 'push_files', { owner: 'o', repo: 'r', branch: 'fix-typo', files: [], message: 'm' }, { outcome: 'allow', rule: 'tools.push_files' }],
  ['github.policy.json', 'create_or_update_file', { owner: 'o', repo: 'r', branch: 'master', path: 'a', content: 'b', message: 'm' }, { outcome: 'refuse', rule: 'tools.create_or_update_file.rules[0]' }],
  ['github.policy.json', 'merge_pull_request', { owner: 'o', repo: 'r', pull_number: 1 }, { outcome: 'ask', rule: 'tools.merge_pull_request' }],
  ['github.policy.json', 'fork_repository', { owner: 'o', repo: 'r' }, { outcome: 'ask' }],
  ['github.policy.json', 'delete_repository', { owner: 'o', repo: 'r' }, { outcome: 'refuse', rule: 'default' }],

  // server-memory (YAML): reads pass, writes share one counter, deletes ask.
  ['memory.policy.yaml', 'read_graph', {}, { outcome: 'allow', rule: 'tools.read_graph' }],
  ['memory.policy.yaml', 'create_entities', { entities: [] }, { outcome: 'allow', charges: [expect.objectContaining({ counter: 'memory_writes', max: 60 })] }],
  ['memory.policy.yaml', 'add_observations', { observations: [] }, { outcome: 'allow', charges: [expect.objectContaining({ counter: 'memory_writes', max: 60 })] }],
  ['memory.policy.yaml', 'delete_entities', { entityNames: ['a'] }, { outcome: 'ask', rule: 'tools.delete_entities', reason: expect.stringContaining('permanently') }],

  // server-everything.
  ['everything.policy.json', 'echo', { message: 'hi' }, { outcome: 'allow', rule: 'tools.echo' }],
  ['everything.policy.json', 'get-env', {}, { outcome: 'refuse', rule: 'tools.get-env', reason: 'the tool "get-env" is not available' }],
  ['everything.policy.json', 'trigger-long-running-operation', { duration: 5, steps: 5 }, { outcome: 'allow' }],
  ['everything.policy.json', 'trigger-long-running-operation', { duration: 3600 }, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ['everything.policy.json', 'gzip-file-as-resource', { data: 'data:text/plain;base64,aGk=' }, { outcome: 'allow', rule: 'tools.gzip-file-as-resource' }],
  ['everything.policy.json', 'gzip-file-as-resource', { data: 'https://example.com/big.iso' }, { outcome: 'ask', rule: 'tools.gzip-file-as-resource.rules[0]' }],
  ['everything.policy.json', 'gzip-file-as-resource', {}, { outcome: 'ask', rule: 'tools.gzip-file-as-resource.rules[0]' }],
  ['everything.policy.json', 'trigger-sampling-request', { prompt: 'hi' }, { outcome: 'allow', rule: 'tools.trigger-sampling-request' }],
  ['everything.policy.json', 'trigger-sampling-requests', { prompt: 'hi' }, { outcome: 'refuse', rule: 'default' }],

  // A payments server in PolicyLayer's format (require, deny_if, an args. spend cap): the full table is in test/unit/policy/policylayer.test.ts.
  ['payments.policy.json', 'create_refund', { amount: 1200 }, { outcome: 'refuse', decision: 'denied', rule: 'tools.create_refund.rules[0]' }],
  ['payments.policy.json', 'create_refund', { amount: 1200, reason: 'damaged' }, { outcome: 'allow', rule: 'tools.create_refund' }],
  ['payments.policy.json', 'create_charge', { amount: 25000, currency: 'usd' }, { outcome: 'refuse', decision: 'denied', rule: 'tools.create_charge.rules[1]' }],
  ['payments.policy.json', 'create_payout', { amount: 1 }, { outcome: 'refuse', decision: 'denied', rule: 'tools.create_payout' }],

  // The demo's policy: one entry per kind of decision.
  ['demo.policy.json', 'echo', { message: 'x'.repeat(201) }, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.echo.args' }],
  ['demo.policy.json', 'get-env', {}, { outcome: 'refuse', rule: 'hide' }],
  ['demo.policy.json', 'toggle-subscriber-updates', {}, { outcome: 'ask' }],
];

describe.each(POLICY_FILES)('%s', (file) => {
  const calls = CALLS.filter((c) => c[0] === file);
  it('has decisions checked here', () => {
    expect(calls.length).toBeGreaterThan(0);
  });
  it.each(calls.map((c) => [c[1], JSON.stringify(c[2]), c[2], c[3]] as const))('%s %s', (tool, _shown, args, expected) => {
    expect(decideToolCall(compiled.get(file)!, tool, args)).toMatchObject(expected);
  });
});

describe('what the agent sees', () => {
  it('hidden and unlisted tools are left out of tools/list', () => {
    expect(isToolVisible(compiled.get('everything.policy.json')!, 'get-env')).toBe(false);
    expect(isToolVisible(compiled.get('everything.policy.json')!, 'echo')).toBe(true);
    expect(isToolVisible(compiled.get('filesystem.policy.json')!, 'write_file')).toBe(true);
    expect(isToolVisible(compiled.get('github.policy.json')!, 'delete_repository')).toBe(false);
  });

  it('the demo allows static documents and denies dynamic resources', () => {
    const demo = compiled.get('demo.policy.json')!;
    expect(decideResource(demo, 'demo://resource/static/document/features.md')).toMatchObject({ outcome: 'allow' });
    expect(decideResource(demo, 'demo://resource/dynamic/text/1')).toMatchObject({ outcome: 'refuse', rule: 'resources.demo://resource/dynamic/**' });
  });
});
