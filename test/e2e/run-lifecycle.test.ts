import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ECHO_SERVER, INIT, isAlive, spawnGuard, workspace } from './support/guard.js';

// pin: "off": these tests call tools the fixture answers but never lists (and count what it receives);
// pinning, which refuses such calls and lists the server's tools itself, is tested in pins.test.ts.
const allowAll = { version: '1', default: 'allow', pin: 'off' };

function runSync(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', input: '', env: { ...process.env, ...env }, timeout: 20_000 });
}

describe('run: start-up failures', () => {
  it('exits 127 naming a command that does not exist', () => {
    const ws = workspace(allowAll);
    const r = runSync(['--policy', ws.policyFile, '--', 'no-such-command-xyz']);
    expect(r.status).toBe(127);
    expect(r.stderr).toMatch(/^mcp-guard: .*no-such-command-xyz/m);
    expect(r.stdout).toBe('');
  });

  it('exits 126 for a command that is not executable', () => {
    const ws = workspace(allowAll);
    const script = join(ws.dir, 'not-executable.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const r = runSync(['--policy', ws.policyFile, '--', script]);
    expect(r.status).toBe(126);
    expect(r.stderr).toMatch(/not executable/);
  });

  it('exits 2 before spawning anything when the policy is missing, unreadable, or not found at all', () => {
    const ws = workspace(allowAll);
    const marker = join(ws.dir, 'spawned');
    // A shell starts in a millisecond: spawned at all, it leaves the marker before anything could stop it.
    const server = ['--', 'sh', '-c', `: > '${marker}'`];
    const missing = runSync(['--policy', join(ws.dir, 'nope.json'), ...server]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^mcp-guard: policy file not found: .*nope\.json$/m);
    const directory = runSync(['--policy', ws.dir, ...server]);
    expect(directory.status).toBe(2);
    expect(directory.stderr).toMatch(/^mcp-guard: cannot read policy file .*: it is a directory$/m);
    const none = spawnSync(process.execPath, [BIN, ...server], { cwd: ws.dir, encoding: 'utf8', env: { ...process.env, MCP_GUARD_POLICY: '' } });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/init|example/);
    expect(() => statSync(marker)).toThrow();
  });

  it('exits 2 on a policy that does not pass, relaying nothing to the server it started meanwhile', () => {
    // The server boots while the policy is checked (start-up would take longer otherwise), so it
    // may have run; it is stopped before a byte reaches it.
    const ws = workspace({ version: '1', default: 'alow' });
    const r = spawnSync(process.execPath, [BIN, '--policy', ws.policyFile, '--', process.execPath, ECHO_SERVER], {
      encoding: 'utf8',
      input: `${JSON.stringify(INIT)}\n`,
      env: { ...process.env, RECORD_FILE: ws.recordFile },
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^mcp-guard: .*alow/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
    expect(ws.recorded()).toEqual([]);
  });

  it('exits 2 on a bad command line', () => {
    expect(runSync(['--max-message-bytes', 'lots', '--', 'node']).status).toBe(2);
    expect(runSync(['--policy']).status).toBe(2);
  });
});

describe('run: lifecycle', () => {
  it('on stdin EOF closes the child\'s stdin and exits with the child\'s code', async () => {
    const ws = workspace(allowAll);
    const g = spawnGuard(ws);
    g.send(INIT);
    await g.response(0);
    expect(await g.close()).toEqual({ code: 0, signal: null });
  });

  it('answers pending requests with an error when the child exits, and mirrors its exit code', async () => {
    const ws = workspace(allowAll);
    const g = spawnGuard(ws);
    g.send(INIT);
    await g.response(0);
    g.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'hang' } }, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'exit' } });
    const r1 = await g.response(1);
    expect(r1).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/exited with code 7/) } });
    expect(await g.response(2)).toMatchObject({ error: { code: -32603 } });
    expect((await g.exit).code).toBe(7);
  });

  it('does not hang when a server logs to stdout and exits before answering initialize', async () => {
    const ws = workspace(allowAll);
    const g = spawnGuard(ws, { mode: 'banner,exit-before-init' });
    g.send(INIT);
    expect(await g.response(0)).toMatchObject({ error: { code: -32603 } });
    expect((await g.exit).code).toBe(3);
    expect(g.lines.every((l) => typeof l === 'object')).toBe(true);
  });

  it('forwards SIGTERM to the child and exits with its status', async () => {
    const ws = workspace(allowAll);
    const g = spawnGuard(ws);
    g.send(INIT);
    await g.response(0);
    g.child.kill('SIGTERM');
    const exit = await g.exit;
    expect(exit.code).toBe(143);
  });

  it('kills a child that ignores SIGTERM after the grace period, leaving no process behind', async () => {
    const ws = workspace(allowAll);
    const pidFile = join(ws.dir, 'pid');
    const server = ['node', '-e', `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on('SIGTERM', () => {}); process.stdin.resume(); process.stdin.on('end', () => {}); setInterval(() => {}, 1000)`];
    const g = spawnGuard(ws, { server, extraArgs: ['--shutdown-timeout', '0.3'] });
    await expect.poll(() => existsSync(pidFile), { timeout: 5000 }).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    g.child.stdin.end();
    const exit = await g.exit;
    expect(exit.code).toBe(137);
    expect(isAlive(pid)).toBe(false);
  });

  it('passes the child\'s stderr through and inherits the environment', async () => {
    const ws = workspace(allowAll);
    const g = spawnGuard(ws, { server: ['node', '-e', 'console.error("from-child:" + process.env.GUARD_TEST_VAR)'], env: { GUARD_TEST_VAR: 'inherited' } });
    await g.exit;
    expect(g.stderr).toContain('from-child:inherited');
  });
});

void ECHO_SERVER;
