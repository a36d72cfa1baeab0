import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
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

  it('refuses a JavaScript policy with one line, without running it', async () => {
    for (const name of ['mcp-guard.config.js', 'policy.mjs', 'policy.cjs', 'policy.ts']) {
      const marker = path.join(dir, `ran-${name}`);
      const file = write(`code/${name}`, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\nmodule.exports = { version: '1', default: 'allow' };\n`);
      const error = await policyError(loadPolicy(file));
      expect(error.code).toBe('POLICY_UNREADABLE');
      expect(error.exitCode).toBe(2);
      expect(error.message).toMatch(/is a program, not a policy: mcp-guard never runs code/);
      expect(error.message).not.toContain('\n');
      expect(existsSync(marker)).toBe(false);
    }
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

  it('finds .mcp-guardrc and .config/ files', async () => {
    const b = write('b/.mcp-guardrc', '{ "version": "1" }');
    write('b/package.json', '{ "name": "b" }');
    expect(await findPolicyFile({ env, cwd: path.dirname(b) })).toBe(b);
    const c = write('c/.config/mcp-guardrc.json', '{}');
    write('c/package.json', '{ "name": "c" }');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'c') })).toBe(c);
    const y = write('y/.config/mcp-guard.config.yml', 'version: "1"\n');
    write('y/package.json', '{ "name": "y" }');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'y') })).toBe(y);
  });

  it('reads data files only: no package.json key, and no JavaScript is run or picked up', async () => {
    const marker = path.join(dir, 'js', 'EXECUTED');
    const run = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = { version: '1', default: 'allow' };\n`;
    write('js/package.json', '{ "name": "js", "mcp-guard": { "version": "1", "default": "allow" }, "cosmiconfig": { "searchPlaces": ["evil.js"] } }');
    write('js/mcp-guard.config.js', run);
    write('js/mcp-guard.config.cjs', run);
    write('js/.mcp-guardrc.js', run);
    write('js/evil.js', run);
    // cosmiconfig runs a "meta" configuration from here before any search; discovery must not.
    write('js/.config/config.js', run);
    write('js/.config/mcp-guard.config.js', run);
    const error = await policyError(findPolicyFile({ env, cwd: path.join(dir, 'js') }));
    expect(error.code).toBe('POLICY_NOT_FOUND');
    expect(existsSync(marker)).toBe(false);
    const data = write('js/.mcp-guardrc.yaml', 'version: "1"\n');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'js') })).toBe(data);
    expect(existsSync(marker)).toBe(false);
  });

  it('skips a directory named like a policy file', async () => {
    mkdirSync(path.join(dir, 'f', 'mcp-guard.config.json'), { recursive: true });
    write('f/package.json', '{ "name": "f" }');
    const real = write('f/.config/mcp-guard.config.json', '{}');
    expect(await findPolicyFile({ env, cwd: path.join(dir, 'f') })).toBe(real);
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
