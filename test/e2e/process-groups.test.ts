import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, ECHO_SERVER, INIT, ROOT, spawnGuard, workspace, type Workspace } from './support/guard.js';

/**
 * SPEC §2: the server runs in its own process group, every signal and kill goes to the group,
 * and mcp-guard never waits on a grandchild that holds a pipe. Each case leaves a process behind
 * (or hangs) when only the direct child is signalled.
 */

const WRAPPER = join(ROOT, 'test/fixtures/groups/forwarding-wrapper.mjs');
const STUBBORN = join(ROOT, 'test/fixtures/groups/stubborn-server.mjs');
const LINT_SERVER = join(ROOT, 'test/fixtures/lint-server.mjs');
const allowAll = { version: '1', default: 'allow' };

/** Running, as opposed to gone or a zombie waiting for a parent (init) to reap it. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; the comm may contain spaces, the state follows the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function pidFrom(file: string): Promise<number> {
  await expect.poll(() => existsSync(file) && readFileSync(file, 'utf8').trim() !== '', { timeout: 10_000 }).toBe(true);
  return Number(readFileSync(file, 'utf8'));
}

/** `sh -c` that starts a background job (it inherits stdout) and then the echo server. */
function shellWithBackgroundJob(ws: Workspace): { server: string[]; holderPidFile: string } {
  const holderPidFile = join(ws.dir, 'holder.pid');
  return { server: ['sh', '-c', `sleep 300 & echo $! > '${holderPidFile}'; '${process.execPath}' '${ECHO_SERVER}'`], holderPidFile };
}

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('run: the server and everything it starts are one process group', () => {
  it('a background job of `sh -c` is gone when the session ends, and mcp-guard does not wait for its pipe', async () => {
    const ws = workspace(allowAll);
    const { server, holderPidFile } = shellWithBackgroundJob(ws);
    // A grace period longer than the test's timeout: the exit must not come from the escalation.
    const g = spawnGuard(ws, { server, extraArgs: ['--shutdown-timeout', '60'] });
    g.send(INIT);
    expect(await g.response(0)).toMatchObject({ result: { serverInfo: { name: 'echo-fixture' } } });
    const holder = await pidFrom(holderPidFile);
    expect(isRunning(holder)).toBe(true);
    const exit = await g.close();
    expect(exit.code).toBe(0);
    await expect.poll(() => isRunning(holder), { timeout: 5_000 }).toBe(false);
  }, 20_000);

  it('a signal to mcp-guard reaches the whole group', async () => {
    const ws = workspace(allowAll);
    const { server, holderPidFile } = shellWithBackgroundJob(ws);
    const g = spawnGuard(ws, { server, extraArgs: ['--shutdown-timeout', '60'] });
    g.send(INIT);
    await g.response(0);
    const holder = await pidFrom(holderPidFile);
    g.child.kill('SIGTERM');
    const exit = await g.exit;
    expect(exit.code).toBe(143);
    await expect.poll(() => isRunning(holder), { timeout: 5_000 }).toBe(false);
  }, 20_000);

  it('a wrapper that exits on SIGTERM over a server that ignores it: both are gone within the grace period', async () => {
    const ws = workspace(allowAll);
    const wrapperPidFile = join(ws.dir, 'wrapper.pid');
    const serverPidFile = join(ws.dir, 'server.pid');
    const g = spawnGuard(ws, {
      server: [process.execPath, WRAPPER, process.execPath, STUBBORN],
      extraArgs: ['--shutdown-timeout', '1'],
      env: { WRAPPER_PID_FILE: wrapperPidFile, SERVER_PID_FILE: serverPidFile },
    });
    g.send(INIT);
    await g.response(0);
    const [wrapper, server] = [await pidFrom(wrapperPidFile), await pidFrom(serverPidFile)];
    const exit = await g.close();
    // The wrapper's own status: it exits 143 when the group's SIGTERM reaches it.
    expect(exit.code).toBe(143);
    expect(isRunning(wrapper)).toBe(false);
    await expect.poll(() => isRunning(server), { timeout: 5_000 }).toBe(false);
  }, 20_000);
});

describe('lint --server and init stop the whole group and return', () => {
  it('lint --server over `sh -c` with a background job', async () => {
    const ws = workspace(allowAll);
    const { server, holderPidFile } = shellWithBackgroundJob(ws);
    const r = await cli(['lint', ws.policyFile, '--server', '--', ...server]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(isRunning(await pidFrom(holderPidFile))).toBe(false);
  }, 60_000);

  it('init over a wrapper that exits on SIGTERM, whose server ignores it', async () => {
    const ws = workspace(allowAll);
    const wrapperPidFile = join(ws.dir, 'wrapper.pid');
    const serverPidFile = join(ws.dir, 'server.pid');
    const out = join(ws.dir, 'generated.json');
    const r = await cli(['init', '-o', out, '--', process.execPath, WRAPPER, process.execPath, STUBBORN], {
      WRAPPER_PID_FILE: wrapperPidFile,
      SERVER_PID_FILE: serverPidFile,
    });
    expect(r.code).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(isRunning(await pidFrom(wrapperPidFile))).toBe(false);
    expect(isRunning(await pidFrom(serverPidFile))).toBe(false);
  }, 60_000);

  it('lint --server over npx returns as soon as it has the tool list (not after a minute)', async () => {
    const ws = workspace({ version: '1', default: 'deny', tools: { echo: 'allow' } });
    // npx finds @modelcontextprotocol/server-everything in node_modules, offline.
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [BIN, 'lint', ws.policyFile, '--server', '--', 'npx', '-y', '@modelcontextprotocol/server-everything'], { cwd: ROOT, timeout: 40_000 }, (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('Ctrl-C while init waits for a server stops the server and exits 130', async () => {
    const ws = workspace(allowAll);
    const pidFile = join(ws.dir, 'hang.pid');
    const child = spawn(process.execPath, [BIN, 'init', '--', process.execPath, LINT_SERVER], { env: { ...process.env, LINT_SERVER_MODE: 'hang', LINT_SERVER_PIDFILE: pidFile } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const server = await pidFrom(pidFile);
    child.kill('SIGINT');
    expect(await exit).toBe(130);
    expect(stderr).toMatch(/^mcp-guard: interrupted/);
    expect(isRunning(server)).toBe(false);
  }, 30_000);
});
