import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { loadPolicy } from '../../../src/policy/load.js';
import { findPolicyFile } from '../../../src/policy/source/discover.js';

let dir: string;
beforeAll(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'policy-load-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(rel: string, text: string): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

async function policyError(promise: Promise<unknown>): Promise<PolicyError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PolicyError);
  return error as PolicyError;
}

describe('loadPolicy', () => {
  it('loads the shipped python_venv example unchanged', async () => {
    const loaded = await loadPolicy('examples/python-venv.policy.json');
    expect(loaded.file).toBe(path.resolve('examples/python-venv.policy.json'));
    expect(loaded.document.tools?.python_venv).toEqual({ limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] });
    expect(loaded.warnings).toEqual([]);
  });

  it('loads YAML, and returns warnings without failing', async () => {
    const loaded = await loadPolicy(write('warn.yaml', 'version: "1"\ntools:\n  read_file: allow\n'));
    expect(loaded.document).toEqual({ version: '1', tools: { read_file: 'allow' } });
    expect(loaded.warnings.map((w) => [w.ruleId, w.severity])).toEqual([['default-missing', 'warning']]);
  });

  it('reads package.json#mcp-guard, with positions in package.json', async () => {
    const file = write('pkg/package.json', '{\n  "name": "x",\n  "mcp-guard": { "version": "1", "default": "deny", "tools": { "a": "nope" } }\n}\n');
    const error = await policyError(loadPolicy(file));
    expect(error.problems[0]).toMatchObject({ ruleId: 'invalid-action', line: 3, path: 'tools.a', file });
  });

  it('in package.json, reports duplicate keys inside "mcp-guard" only, with policy paths', async () => {
    const file = write('dup/package.json', '{\n  "name": "x",\n  "name": "y",\n  "mcp-guard": { "version": "1", "default": "deny", "default": "allow" }\n}\n');
    const error = await policyError(loadPolicy(file));
    // The later value is what JSON.parse keeps, hence the warning about it.
    expect(error.problems.map((p) => [p.ruleId, p.path, p.line])).toEqual([
      ['duplicate-key', 'default', 4],
      ['default-allow', 'default', 4],
    ]);
    expect(error.problems[0]!.message).toMatch(/^default: duplicate key "default"/);
  });

  it('says when package.json has no "mcp-guard" key', async () => {
    const error = await policyError(loadPolicy(write('nokey/package.json', '{ "name": "x" }')));
    expect(error.message).toMatch(/no "mcp-guard" key in package\.json/);
  });

  it('drops $comment from the name maps, where it is a note and not an entry', async () => {
    const loaded = await loadPolicy(write('comment.json', JSON.stringify({ version: '1', default: 'deny', tools: { $comment: 'n', a: 'allow' }, methods: { $comment: 'm' } })));
    expect(loaded.document.tools).toEqual({ a: 'allow' });
    expect(loaded.document.methods).toEqual({});
  });

  it('refuses a policy with errors: one line naming the first, every problem attached', async () => {
    const file = write('bad.json', '{\n  "version": "1",\n  "default": "deny",\n  "tools": { "a": "dney", "b": { "limit": [] } }\n}\n');
    const error = await policyError(loadPolicy(file));
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`${file}:4:19 tools.a: "dney" is not an action; use allow, deny, hide or ask, or a rule object; did you mean "deny"? (invalid-action), and 1 more; run mcp-guard lint ${file}`);
    expect(error.message).not.toContain('\n');
    expect(error.problems.map((p) => p.ruleId)).toEqual(['invalid-action', 'unknown-key']);
  });

  it('refuses unparsable files with the position', async () => {
    const error = await policyError(loadPolicy(write('syntax.json', '{"version": "1",}')));
    expect(error.message).toMatch(/syntax\.json:1:16 invalid JSON: trailing comma/);
  });

  it('says when the file is missing or unreadable', async () => {
    expect((await policyError(loadPolicy(path.join(dir, 'none.json')))).code).toBe('POLICY_NOT_FOUND');
    mkdirSync(path.join(dir, 'adir.json'));
    expect((await policyError(loadPolicy(path.join(dir, 'adir.json')))).code).toBe('POLICY_UNREADABLE');
    if (process.getuid?.() !== 0) {
      const locked = write('locked.json', '{}');
      chmodSync(locked, 0o000);
      expect((await policyError(loadPolicy(locked))).code).toBe('POLICY_UNREADABLE');
    }
  });

  it('loads a JavaScript module policy (default export)', async () => {
    const loaded = await loadPolicy(write('mod/mcp-guard.config.mjs', 'export default { version: "1", default: "deny" };\n'));
    expect(loaded.document).toEqual({ version: '1', default: 'deny' });
  });
});

describe('findPolicyFile', () => {
  const env = {};

  it('takes --policy first, then MCP_GUARD_POLICY, relative to cwd', async () => {
    expect(await findPolicyFile({ explicit: 'p.json', env: { MCP_GUARD_POLICY: 'e.json' }, cwd: dir })).toBe(path.join(dir, 'p.json'));
    expect(await findPolicyFile({ env: { MCP_GUARD_POLICY: 'e.json' }, cwd: dir })).toBe(path.join(dir, 'e.json'));
  });

  it('searches the working directory, then its parents up to the project root', async () => {
    const project = path.join(dir, 'project');
    write('project/package.json', '{ "name": "p" }');
    const config = write('project/mcp-guard.config.yaml', 'version: "1"\n');
    mkdirSync(path.join(project, 'src', 'deep'), { recursive: true });
    expect(await findPolicyFile({ env, cwd: path.join(project, 'src', 'deep') })).toBe(config);
  });

  it('finds package.json#mcp-guard, .mcp-guardrc and .config/ files', async () => {
    const a = path.join(dir, 'a');
    write('a/package.json', '{ "name": "a", "mcp-guard": { "version": "1" } }');
    expect(await findPolicyFile({ env, cwd: a })).toBe(path.join(a, 'package.json'));
    const b = write('b/.mcp-guardrc', '{ "version": "1" }');
    write('b/package.json', '{ "name": "b" }');
    expect(await findPolicyFile({ env, cwd: path.dirname(b) })).toBe(b);
    const c = write('c/.config/mcp-guardrc.json', '{}');
    write('c/package.json', '{ "name": "c" }');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'c') })).toBe(c);
  });

  it('finds a broken policy too, so that loading it can say what is wrong and where', async () => {
    const broken = write('d/mcp-guard.config.json', '{ "version": "1", }');
    write('d/package.json', '{ "name": "d" }');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'd') })).toBe(broken);
    const empty = write('e/mcp-guard.config.yml', '');
    write('e/package.json', '{ "name": "e" }');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'e') })).toBe(empty);
  });

  it('finds nothing: POLICY_NOT_FOUND, saying how to make one (no silent allow-all)', async () => {
    write('none/package.json', '{ "name": "none" }');
    const error = await policyError(findPolicyFile({ env, cwd: path.join(dir, 'none') }));
    expect(error.code).toBe('POLICY_NOT_FOUND');
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('mcp-guard init -o mcp-guard.config.json');
  });
});
