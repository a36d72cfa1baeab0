/**
 * The calls of one chunk of client input that charge a counter are recorded as one event of their
 * summed units (one row in SQLite, one member in Redis; session counters: one event per
 * millisecond), and each call keeps its share. The attack: put calls that fail with a JSON-RPC
 * error (the server did not run them, so their units come back) in the same chunk as calls that
 * succeed, and hope the refund gives back the whole event. Through the built CLI against the echo
 * fixture, which really answers each call, on each kind of counter.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../support/redis-server.js';
import { type RawGuard, spawnGuard, workspace } from './support/guard.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const running: RawGuard[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) {
    g.child.kill('SIGKILL');
    await g.exit;
  }
});

const call = (id: string, name: string) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

/** One write, so the guard reads the calls as one chunk (a pipe write under 4 KiB arrives whole). */
function sendChunk(g: RawGuard, lines: string[]): void {
  g.child.stdin.write(`${lines.join('\n')}\n`);
}

function answers(g: RawGuard, prefix: string): Array<Record<string, unknown>> {
  return g.lines.filter((l): l is Record<string, unknown> => typeof l === 'object' && String(l.id).startsWith(prefix));
}

const ran = (a: Record<string, unknown>) => a.result !== undefined && (a.result as { isError?: boolean }).isError !== true;
const limited = (a: Record<string, unknown>) => (a.result as { _meta?: Record<string, { decision?: string }> } | undefined)?._meta?.['mcp-guard']?.decision === 'rate_limited';

describe.each([
  ['SQLite', 'grant', (): Record<string, string> => ({})],
  // Ahead of --state-dir (SPEC §13).
  ['Redis', 'grant', (): Record<string, string> => ({ MCP_GUARD_STATE: redis.url(2) })],
  ['session counters', 'session', (): Record<string, string> => ({})],
] as const)('calls of one chunk sharing an event (%s)', (_name, scope, env) => {
  it('a refund gives back exactly the failed calls\u2019 units, never the whole chunk\u2019s', async () => {
    const limit = { counter: `shared-${Math.random()}`, window: 'hour', max: 10, scope };
    const ws = workspace({ version: '1', default: 'deny', pin: 'off', tools: { python_venv: { limits: [limit] }, error: { limits: [limit] } } });
    const g = spawnGuard(ws, { env: env() });
    running.push(g);

    // Ten calls in one chunk fill the counter; the two `error` calls are answered with a JSON-RPC
    // error by the server, so their two units come back.
    sendChunk(g, [
      ...['a0', 'a1'].map((id) => call(id, 'python_venv')),
      call('a2', 'error'),
      ...['a3', 'a4', 'a5', 'a6'].map((id) => call(id, 'python_venv')),
      call('a7', 'error'),
      ...['a8', 'a9'].map((id) => call(id, 'python_venv')),
    ]);
    await g.waitFor(10);
    const first = answers(g, 'a');
    expect(first.filter(ran)).toHaveLength(8);
    expect(first.filter((a) => (a.error as { message?: string } | undefined)?.message === 'tool blew up')).toHaveLength(2);

    // Exactly two more fit: had the refund given back the chunk's whole event, five would.
    sendChunk(g, ['b0', 'b1', 'b2', 'b3', 'b4'].map((id) => call(id, 'python_venv')));
    await g.waitFor(15);
    const second = answers(g, 'b');
    expect(second.filter(ran)).toHaveLength(2);
    expect(second.filter(limited)).toHaveLength(3);

    const names = ws.recorded().filter((m) => m.method === 'tools/call').map((m) => (m.params as { name: string }).name);
    expect(names.filter((n) => n === 'python_venv')).toHaveLength(10);
    expect(names.filter((n) => n === 'error')).toHaveLength(2);
  }, 30_000);
});
