import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, ROOT } from './support/guard.js';

const COMMANDS = ['', 'run', 'lint', 'venv', 'venv create', 'venv delete', 'venv info', 'venv list', 'init', 'check', 'test', 'replay', 'audit', 'approvals', 'approve', 'deny', 'clients', 'wrap', 'unwrap'];

describe('--help and --version', () => {
  it.each(COMMANDS)('"mcp-guard %s --help" prints usage with examples on stdout and exits 0', (command) => {
    const r = spawnSync(process.execPath, [BIN, ...command.split(' ').filter(Boolean), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: mcp-guard/);
    expect(r.stdout).toMatch(/\nExamples:\n {2}mcp-guard /);
  });

  it('prints the package version', () => {
    const r = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')).version);
  });

  it('names an unknown command and exits 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'lnit'], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mcp-guard: unknown command "lnit" (did you mean lint?); to run a server called lnit, put it after "--"\n');
  });

  it('with no arguments at all prints the help on stderr and exits 2', () => {
    const r = spawnSync(process.execPath, [BIN], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^Usage: mcp-guard/);
  });
});
