import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, files } from './support/cli.js';
import { BIN, type Workspace } from './support/guard.js';
import { auditRecords, call, recordSession } from './support/record-session.js';

const POLICY = {
  version: '1',
  default: 'deny',
  tools: { echo: 'allow', shell_exec: { action: 'deny', reason: 'no shell from agents' }, create_charge: { rate_limit: '2/minute' } },
  resources: { 'file:///public/**': 'allow' },
};

let ws: Workspace;
beforeAll(async () => {
  // Two sessions appending to one log.
  const session = async (client: Parameters<Parameters<typeof recordSession>[1]>[0]) => {
    expect(await call(client, 'echo', { text: 'a' })).toBe('allowed');
    expect(await call(client, 'shell_exec', { cmd: 'ls' })).toBe('denied');
    for (let i = 0; i < 3; i++) await call(client, 'create_charge', { amount: 1 });
    await expect(client.readResource({ uri: 'file:///secrets/key.pem' })).rejects.toBeInstanceOf(McpError);
    return 6;
  };
  ws = await recordSession(POLICY, session);
  await recordSession(POLICY, session, ws);
}, 60_000);

interface SummaryJson {
  logs: string[];
  records: number;
  unreadable: number;
  from: string;
  to: string;
  decisions: Record<string, number>;
  calls: Array<{ method: string; subject: string; total: number; decisions: Record<string, number> }>;
  refusingRules: Array<{ rule: string; count: number; decisions: Record<string, number> }>;
  sessions: Array<{ session: string; records: number; refused: number; from: string; to: string }>;
}

const record = (time: string, tool: string, decision: string, session = 'old') =>
  `${JSON.stringify({ time, session, direction: 'client→server', method: 'tools/call', id: 1, tool, decision, rule: decision === 'allowed' ? `tools.${tool}` : 'default', dryRun: false })}\n`;

describe('mcp-guard audit', () => {
  it('--json counts match the log: decisions, calls by tool × decision, refusing rules, sessions, span', async () => {
    const run = await cli(['audit', '--json', ws.auditFile]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const summary = JSON.parse(run.stdout) as SummaryJson;
    const records = auditRecords(ws.auditFile);
    expect(records).toHaveLength(12);
    const count = (pick: (r: Record<string, unknown>) => boolean) => records.filter(pick).length;
    expect(summary.records).toBe(12);
    expect(summary.decisions).toEqual({ allowed: count((r) => r.decision === 'allowed'), denied: count((r) => r.decision === 'denied'), rate_limited: count((r) => r.decision === 'rate_limited') });
    expect(summary.decisions).toEqual({ allowed: 6, denied: 4, rate_limited: 2 });
    expect(summary.calls).toEqual(
      expect.arrayContaining([
        { method: 'tools/call', subject: 'create_charge', total: 6, decisions: { allowed: 4, rate_limited: 2 } },
        { method: 'tools/call', subject: 'echo', total: 2, decisions: { allowed: 2 } },
        { method: 'tools/call', subject: 'shell_exec', total: 2, decisions: { denied: 2 } },
        { method: 'resources/read', subject: 'file:///secrets/key.pem', total: 2, decisions: { denied: 2 } },
      ]),
    );
    expect(summary.calls[0]!.subject).toBe('create_charge');
    expect(summary.refusingRules).toEqual(
      expect.arrayContaining([
        { rule: 'tools.shell_exec', count: 2, decisions: { denied: 2 } },
        { rule: 'tools.create_charge.rate_limit', count: 2, decisions: { rate_limited: 2 } },
        { rule: 'default', count: 2, decisions: { denied: 2 } },
      ]),
    );
    const sessions = [...new Set(records.map((r) => r.session))];
    expect(summary.sessions.map((s) => [s.session, s.records, s.refused])).toEqual(sessions.map((s) => [s, 6, 3]));
    expect([summary.from, summary.to]).toEqual([records[0]!.time, records[11]!.time]);
  });

  it('prints the summary as a table', async () => {
    const run = await cli(['audit', ws.auditFile]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^.*audit\.jsonl: 12 decisions, .* → .*, 2 sessions\n/);
    expect(run.stdout).toMatch(/\ncalls +allowed +denied +rate_limited +total\ncreate_charge +4 +2 +6\n/);
    expect(run.stdout).toContain('\nrules that refused most\n');
  });

  it('--since leaves out older records (durations and times)', async () => {
    const now = Date.now();
    const dir = files({
      'log.jsonl':
        record(new Date(now - 3 * 86_400_000).toISOString(), 'echo', 'allowed') +
        record(new Date(now - 2 * 3_600_000).toISOString(), 'echo', 'denied') +
        record(new Date(now - 60_000).toISOString(), 'echo', 'allowed', 'new') +
        'not a record\n',
    });
    const log = join(dir, 'log.jsonl');
    const counts = async (...args: string[]) => (JSON.parse((await cli(['audit', '--json', ...args, log])).stdout) as SummaryJson).records;
    expect(await counts()).toBe(3);
    expect(await counts('--since', '1h')).toBe(1);
    expect(await counts('--since', '2d')).toBe(2);
    expect(await counts('--since', new Date(now - 4 * 86_400_000).toISOString())).toBe(3);
    expect((JSON.parse((await cli(['audit', '--json', log])).stdout) as SummaryJson).unreadable).toBe(1);
    const bad = await cli(['audit', '--since', 'yesterday', log]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mcp-guard: .*"yesterday" is not a duration or a time/);
  });

  it("reads the policy's audit.path when given no log, and says what to pass when there is none", async () => {
    const dir = files({ 'package.json': { name: 'p' }, 'mcp-guard.config.json': { ...POLICY, audit: { path: 'logs/audit.jsonl' } } });
    const missing = await cli(['audit'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mcp-guard: audit log not found: .*logs\/audit\.jsonl\n$/);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs/audit.jsonl'), record(new Date().toISOString(), 'echo', 'allowed'));
    const found = await cli(['audit', '--json'], { cwd: dir });
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ logs: [join(dir, 'logs/audit.jsonl')], records: 1 });

    const noPath = files({ 'package.json': { name: 'p' }, 'mcp-guard.config.json': POLICY });
    const none = await cli(['audit'], { cwd: noPath });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^mcp-guard: no audit log given, and .* has no "audit": \{ "path": \.\.\. \}; pass the log: mcp-guard audit <audit\.jsonl>/);
  });
});

/** `mcp-guard audit --follow` as a process, with its output as it comes. */
function follow(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [BIN, 'audit', '--follow', ...args], { env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('exit', (code, signal) => r({ code, signal })));
  return { child, exit, stdout: () => stdout, stderr: () => stderr, lines: () => stdout.split('\n').filter(Boolean) };
}

describe('mcp-guard audit --follow', () => {
  it('prints the last ten records, then each one appended, one line each, until SIGINT (exit 0)', async () => {
    const dir = files({ 'log.jsonl': Array.from({ length: 12 }, (_, i) => record(new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), `tool_${i}`, 'allowed')).join('') });
    const log = join(dir, 'log.jsonl');
    const f = follow([log]);
    await expect.poll(() => f.lines().length, { timeout: 10_000 }).toBe(10);
    expect(f.lines()[0]).toContain('tools/call tool_2  allowed');
    appendFileSync(log, record(new Date().toISOString(), 'shell_exec', 'denied', 'live'));
    await expect.poll(() => f.lines().length, { timeout: 10_000 }).toBe(11);
    expect(f.lines()[10]).toMatch(/ {2}live {2}tools\/call shell_exec {2}denied {2}default$/);
    f.child.kill('SIGINT');
    expect(await f.exit).toEqual({ code: 0, signal: null });
  });

  it('waits for a log that does not exist yet, and prints a record only once its line is complete', async () => {
    const dir = files({});
    const log = join(dir, 'later.jsonl');
    const f = follow([log, '--json']);
    await expect.poll(() => f.stderr(), { timeout: 10_000 }).toMatch(/later\.jsonl does not exist yet; waiting for it/);
    const line = record('2026-01-01T00:00:00.000Z', 'echo', 'allowed', 'pieces');
    writeFileSync(log, line.slice(0, 40));
    // Half a record is not a record: nothing is printed until the rest arrives.
    await new Promise((r) => setTimeout(r, 600));
    expect(f.stdout()).toBe('');
    appendFileSync(log, line.slice(40) + line.replace('echo', 'second').slice(0, 10));
    await expect.poll(() => f.lines().length, { timeout: 10_000 }).toBe(1);
    expect(JSON.parse(f.lines()[0]!)).toMatchObject({ session: 'pieces', tool: 'echo', decision: 'allowed' });
    appendFileSync(log, line.replace('echo', 'second').slice(10));
    await expect.poll(() => f.lines().length, { timeout: 10_000 }).toBe(2);
    expect(JSON.parse(f.lines()[1]!)).toMatchObject({ tool: 'second' });
    f.child.kill('SIGINT');
    expect(await f.exit).toEqual({ code: 0, signal: null });
    expect(f.stderr()).not.toMatch(/not an audit record/);
  });
});
