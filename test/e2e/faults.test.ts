/**
 * Faults on either side of the built CLI: a server that crashes mid-response, closes its stdout
 * but keeps running, never answers, ignores SIGTERM, or floods; a client that hangs up mid-message
 * or stops reading. In each case mcp-guard answers what it can, exits with the documented code
 * (the child's own; 128+N when it died of signal N) and leaves no process behind.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ECHO_SERVER, INIT, isAlive, type RawGuard, ROOT, spawnGuard, workspace } from './support/guard.js';

// pin: "off": the fault servers answer their first request in broken ways, and pinning's own
// tools/list would be that request; pinning is tested in pins.test.ts.
const allowAll = { version: '1', default: 'allow', pin: 'off' };
const fault = (name: string) => ['node', join(ROOT, 'test/fixtures/faults', name)];
const call = (id: number, name = 'echo') => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

const running: RawGuard[] = [];
afterEach(() => {
  for (const g of running.splice(0)) g.child.kill('SIGKILL');
});

function guard(server: string[], o: { extraArgs?: string[]; env?: Record<string, string> } = {}) {
  const ws = workspace(allowAll);
  const g = spawnGuard(ws, { server, ...o });
  running.push(g);
  return { ws, g };
}

/** The guard's child processes, read from /proc while it runs. */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function serverPid(g: RawGuard): Promise<number> {
  await expect.poll(() => childrenOf(g.child.pid!).length, { timeout: 10_000 }).toBeGreaterThan(0);
  return childrenOf(g.child.pid!)[0]!;
}

function rssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kib / 1024;
}

const onlyJsonLines = (g: RawGuard) => g.lines.every((l) => typeof l === 'object');

describe('the server misbehaves', () => {
  it('writes half a response and exits: the request gets an error, the half line never reaches the client', async () => {
    const { g } = guard(fault('half-line-exit.mjs'));
    const pid = await serverPid(g);
    g.send(INIT);
    await g.response(0);
    g.send(call(1));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/exited with code 9/) } });
    expect(await g.exit).toEqual({ code: 9, signal: null });
    expect(onlyJsonLines(g)).toBe(true);
    expect(g.stderr).toMatch(/dropped a line from the server that is not JSON: \{"jsonrpc":"2.0","id":1,"result"/);
    expect(isAlive(pid)).toBe(false);
  });

  it('crashes (SIGKILL) mid-response: exit status 137, the request answered', async () => {
    const { g } = guard(fault('half-line-exit.mjs'), { env: { FAULT_SIGNAL: '1' } });
    g.send(INIT);
    await g.response(0);
    g.send(call(1));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/killed by SIGKILL/) } });
    expect(await g.exit).toEqual({ code: 137, signal: null });
    expect(onlyJsonLines(g)).toBe(true);
  });

  it('closes its stdout but keeps running: waiting requests are answered, the server is stopped', async () => {
    const { g } = guard(fault('close-stdout.mjs'), { extraArgs: ['--shutdown-timeout', '0.5'] });
    const pid = await serverPid(g);
    g.send(INIT);
    await g.response(0);
    g.send(call(1));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/closed its output/) } });
    // It ignores its stdin closing, so the grace period ends in SIGTERM.
    expect(await g.exit).toEqual({ code: 143, signal: null });
    expect(isAlive(pid)).toBe(false);
  });

  it('never answers and ignores SIGTERM: on SIGTERM mcp-guard escalates to SIGKILL and answers every waiting request', async () => {
    const { g } = guard(fault('stubborn.mjs'), { extraArgs: ['--shutdown-timeout', '0.3'] });
    const pid = await serverPid(g);
    g.send(INIT, call(1), { jsonrpc: '2.0', id: 'p', method: 'ping' });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    g.child.kill('SIGTERM');
    for (const id of [0, 1, 'p']) expect(await g.response(id)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/killed by SIGKILL/) } });
    expect(await g.exit).toEqual({ code: 137, signal: null });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(isAlive(pid)).toBe(false);
  });

  it('never answers: when the client closes its input, the request still gets an answer', async () => {
    const { g } = guard(['node', ECHO_SERVER]);
    g.send(INIT, call(1, 'hang'));
    await g.response(0);
    g.child.stdin.end();
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/exited with code 0 before answering/) } });
    expect(await g.exit).toEqual({ code: 0, signal: null });
  });

  it('sends a batch nested 20,000 levels deep: dropped (it crashed mcp-guard), the request answered with an error', async () => {
    const { g } = guard(fault('deep.mjs'));
    g.send(INIT);
    await g.response(0);
    g.send(call(1));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/not relayed: it is nested more than 1000 levels/) } });
    g.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    expect(await g.response(2)).toMatchObject({ result: {} });
    expect(await g.close()).toEqual({ code: 0, signal: null });
    expect(g.stderr).not.toMatch(/RangeError|\n\s+at /);
  });

  it('turns a long response into a request after its result: the streamed line is cut before "method"', async () => {
    const ws = workspace({ ...allowAll, methods: { 'sampling/createMessage': 'deny' } });
    const g = spawnGuard(ws, { server: fault('late-method.mjs') });
    running.push(g);
    g.send(INIT);
    await g.response(0);
    g.send(call(1));
    expect(await g.response(1)).toMatchObject({ error: { code: -32603, message: expect.stringMatching(/"method"/) } });
    g.send({ jsonrpc: '2.0', id: 2, method: 'ping' });
    await g.response(2);
    // What the client got of the long line does not parse, and nothing it got carries the request.
    expect(g.lines.filter((l) => typeof l === 'object' && 'method' in l)).toEqual([]);
    expect(g.lines.filter((l) => typeof l === 'string').every((l) => !l.includes('sampling/createMessage'))).toBe(true);
    expect(await g.close()).toEqual({ code: 0, signal: null });
  });

  it('floods requests the policy denies and never reads its answers: mcp-guard\'s memory stays bounded', async () => {
    const ws = workspace({ ...allowAll, methods: { 'sampling/createMessage': 'deny' } });
    const progressFile = join(ws.dir, 'progress');
    const requests = 800_000;
    const g = spawnGuard(ws, { server: fault('flood-requests.mjs'), env: { PROGRESS_FILE: progressFile, FLOOD_REQUESTS: String(requests) }, extraArgs: ['--quiet', '--shutdown-timeout', '0.2'] });
    running.push(g);
    const pid = await serverPid(g);
    await expect.poll(() => (existsSync(progressFile) ? Number(readFileSync(progressFile, 'utf8')) : 0), { timeout: 30_000 }).toBe(requests);
    // ~80 MiB of requests sent; answering each (~300 bytes) into a pipe nobody reads held 510 MiB.
    expect(rssMiB(g.child.pid!)).toBeLessThan(150);
    expect(g.lines.filter((l) => typeof l === 'object' && l.method === 'sampling/createMessage')).toEqual([]);
    g.child.kill('SIGTERM');
    expect((await g.exit).code).toBe(143);
    expect(isAlive(pid)).toBe(false);
  }, 60_000);

  it('hides a message after a bare CR inside one of its lines: the client gets the CR as a space', async () => {
    const ws = workspace({ version: '1', default: 'allow', methods: { 'sampling/createMessage': 'deny' } });
    const g = spawnGuard(ws, { server: fault('cr-inside.mjs') });
    running.push(g);
    const raw: Buffer[] = [];
    g.child.stdout.on('data', (chunk: Buffer | string) => raw.push(Buffer.from(chunk)));
    g.send(INIT);
    const answer = await g.response(0);
    expect(answer).toMatchObject({ result: { serverInfo: { name: 'cr-inside', x: { method: 'sampling/createMessage' } } } });
    const text = Buffer.concat(raw).toString('utf8');
    expect(text).not.toContain('\r');
    expect(text.split(/\r\n|\r|\n/).filter((l) => l.startsWith('{"jsonrpc":"2.0","id":"smuggled"'))).toEqual([]);
    expect(await g.close()).toEqual({ code: 0, signal: null });
  });
});

describe('under load', () => {
  it('never writes its own answers into the middle of a long response it is streaming to the client', async () => {
    const ws = workspace({ version: '1', default: 'allow', tools: { shell_exec: 'deny' } });
    const g = spawnGuard(ws, { server: ['node', join(ROOT, 'bench/fixture-server.mjs')] });
    running.push(g);
    const size = 16 * 1024 * 1024;
    // While the 16 MiB answer streams through, the client keeps sending calls the guard refuses itself.
    g.send({ jsonrpc: '2.0', id: 'blob', method: 'tools/call', params: { name: 'blob', arguments: { size } } });
    let sent = 0;
    while (!g.lines.some((l) => typeof l !== 'object' || l.id === 'blob') && sent < 20_000) {
      g.send(...Array.from({ length: 10 }, () => call(sent++, 'shell_exec')));
      await new Promise((r) => setImmediate(r));
    }
    await expect.poll(() => g.lines.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(sent + 1);
    // A line of the guard's own written into the stream would leave two lines that are not JSON.
    expect(g.lines.filter((l) => typeof l !== 'object').map((l) => String(l).slice(0, 80))).toEqual([]);
    const blob = g.lines.find((l) => typeof l === 'object' && l.id === 'blob') as { result: { content: Array<{ text: string }> } };
    expect(blob.result.content[0]!.text.length).toBe(size);
    const refused = g.lines.filter((l) => typeof l === 'object' && typeof l.id === 'number' && (l.result as { isError?: boolean }).isError);
    expect(refused).toHaveLength(sent);
    expect(await g.close()).toEqual({ code: 0, signal: null });
  });
});

describe('the client misbehaves', () => {
  it('hangs up mid-message: the half line is refused, nothing is relayed, the server is stopped', async () => {
    const { g, ws } = guard(['node', ECHO_SERVER]);
    const pid = await serverPid(g);
    g.send(INIT);
    await g.response(0);
    g.child.stdin.end('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"na');
    expect(await g.response(null)).toMatchObject({ error: { code: -32700 } });
    expect(await g.exit).toEqual({ code: 0, signal: null });
    expect(ws.recorded().map((m) => m.method)).toEqual(['initialize']);
    expect(isAlive(pid)).toBe(false);
  });

  it('closes the pipe it reads from: mcp-guard stops the server and exits', async () => {
    const { g } = guard(['node', ECHO_SERVER]);
    const pid = await serverPid(g);
    g.send(INIT);
    await g.response(0);
    g.child.stdout.destroy();
    g.send(call(1), call(2));
    expect(await g.exit).toEqual({ code: 0, signal: null });
    expect(isAlive(pid)).toBe(false);
  });

  it('stops reading while the server floods: the server is paused, memory stays bounded, and nothing is lost', async () => {
    const ws = workspace(allowAll);
    const progressFile = join(ws.dir, 'progress');
    const lines = 4096;
    const lineBytes = 65_536;
    const g = spawnGuard(ws, { server: fault('flood.mjs'), env: { PROGRESS_FILE: progressFile, FLOOD_LINES: String(lines), FLOOD_LINE_BYTES: String(lineBytes) } });
    running.push(g);
    // The client stops reading: the test's end of the pipe is paused, so the kernel's buffer fills.
    g.child.stdout.pause();
    const written = () => (existsSync(progressFile) ? Number(readFileSync(progressFile, 'utf8')) : 0);
    let last = -1;
    let steadySince = Date.now();
    while (Date.now() - steadySince < 1500) {
      await new Promise((r) => setTimeout(r, 100));
      const now = written();
      if (now !== last) {
        last = now;
        steadySince = Date.now();
      }
    }
    const pausedAt = written();
    // 256 MiB to write; it is held up after a few MiB of pipe buffers.
    expect(pausedAt * lineBytes).toBeLessThan(32 * 1024 * 1024);
    expect(rssMiB(g.child.pid!)).toBeLessThan(150);

    // The client reads again: every line arrives, whole.
    let received = 0;
    let partial = '';
    g.child.stdout.removeAllListeners('data');
    g.child.stdout.setEncoding('utf8');
    const allIn = new Promise<void>((resolve) => {
      g.child.stdout.on('data', (text: string) => {
        const parts = (partial + text).split('\n');
        partial = parts.pop()!;
        for (const p of parts) if (p.length === lineBytes - 1 && p.startsWith('{"jsonrpc":"2.0","method":"notifications/message"')) received++;
        if (received === lines) resolve();
      });
    });
    g.child.stdout.resume();
    await allIn;
    // The server rewrites its progress file as it goes: read it once it has settled.
    await expect.poll(written).toBe(lines);
    expect(await g.close()).toEqual({ code: 0, signal: null });
  }, 60_000);
});
