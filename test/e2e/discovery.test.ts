import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ECHO_SERVER } from './support/guard.js';

/** A project directory with a package.json (where discovery stops) and a JavaScript config that would leave a marker if it ever ran. */
function project() {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'mcp-guard-discovery-')));
  const marker = join(dir, 'EXECUTED');
  const code = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); module.exports = { version: '1', default: 'allow' };\n`;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'p', 'mcp-guard': { version: '1', default: 'allow' } }));
  writeFileSync(join(dir, 'mcp-guard.config.js'), code);
  mkdirSync(join(dir, '.config'));
  writeFileSync(join(dir, '.config', 'config.js'), code);
  mkdirSync(join(dir, 'sub'));
  return { dir, marker };
}

function cli(args: string[], cwd: string) {
  const env = { ...process.env, MCP_GUARD_POLICY: '' };
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', input: '', env, timeout: 30_000 });
}

describe('policy discovery reads data files only', () => {
  it('run, lint and check never execute or pick up mcp-guard.config.js (nor a package.json key)', () => {
    const { dir, marker } = project();
    const run = cli(['--', process.execPath, ECHO_SERVER], join(dir, 'sub'));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^mcp-guard: no policy found for .*mcp-guard init -o mcp-guard.config.json/);
    expect(cli(['lint'], dir).status).toBe(2);
    expect(cli(['check', 'echo'], dir).status).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });

  it('run names the data file it found, on stderr, and keeps stdout for the protocol', () => {
    const { dir, marker } = project();
    const policy = join(dir, '.mcp-guardrc.yaml');
    writeFileSync(policy, 'version: "1"\ndefault: deny\ntools:\n  echo: allow\n');
    const run = cli(['--state-dir', join(dir, 'state'), '--', process.execPath, ECHO_SERVER], join(dir, 'sub'));
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`mcp-guard: policy ${policy}\n`);
    const quiet = cli(['--quiet', '--state-dir', join(dir, 'state'), '--', process.execPath, ECHO_SERVER], join(dir, 'sub'));
    expect(quiet.stderr).not.toContain('mcp-guard: policy');
    const check = cli(['check', 'echo'], join(dir, 'sub'));
    expect(check.status).toBe(0);
    expect(check.stderr).toBe(`mcp-guard: policy ${policy}\n`);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses an explicit JavaScript policy with one line and exit 2, without running it', () => {
    const { dir, marker } = project();
    for (const args of [['--policy', 'mcp-guard.config.js', '--', process.execPath, ECHO_SERVER], ['lint', 'mcp-guard.config.js'], ['check', '-p', 'mcp-guard.config.js', 'echo']]) {
      const r = cli(args, dir);
      expect({ args, status: r.status }).toEqual({ args, status: 2 });
      expect(r.stderr).toBe(`mcp-guard: ${join(dir, 'mcp-guard.config.js')} is a program, not a policy: mcp-guard never runs code to read a policy; write it as JSON or YAML (mcp-guard.config.json)\n`);
      expect(r.stdout).toBe('');
    }
    expect(existsSync(marker)).toBe(false);
  });
});
