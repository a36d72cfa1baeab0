import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { BIN, ROOT } from './support/guard.js';

const COMMANDS = ['', 'run', 'lint', 'venv', 'venv create', 'venv delete', 'venv info', 'venv list', 'init', 'check', 'test', 'replay', 'audit', 'approvals', 'approve', 'deny', 'clients', 'wrap', 'unwrap', 'pins', 'pins diff', 'pins accept'];

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

  it.each(['', 'run', 'venv', 'venv create', 'lint', 'init', 'approvals', 'schema'])('"mcp-guard help %s" prints that help on stdout and exits 0', (topic) => {
    const words = topic.split(' ').filter(Boolean);
    const r = spawnSync(process.execPath, [BIN, 'help', ...words], { encoding: 'utf8', input: '' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^Usage: mcp-guard ${words.map((w) => `${w} `).join('')}\\[options\\]`));
    // The same text as --help.
    expect(r.stdout).toBe(spawnSync(process.execPath, [BIN, ...words, '--help'], { encoding: 'utf8' }).stdout);
  });

  it('"mcp-guard help <not a command>" says so and exits 2', () => {
    const r = spawnSync(process.execPath, [BIN, 'help', 'lnit'], { encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^mcp-guard: .*lnit.*did you mean lint/);
  });

  it.each([['--help'], ['run', '--help'], ['help', 'venv'], ['lint', '--help'], ['schema']])('"mcp-guard %s" into a pipe closed early exits quietly', async (...args) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    // The reader goes away before anything is written, as `| head -1` does after its line.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(code).toBe(0);
  });
});
