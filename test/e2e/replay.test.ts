import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, files } from './support/cli.js';
import type { Workspace } from './support/guard.js';
import { auditRecords, call, recordSession } from './support/record-session.js';

/** The policy the sessions are recorded under. */
const RECORDED = {
  version: '1',
  default: 'deny',
  audit: { arguments: true },
  tools: {
    echo: 'allow',
    read_file: { args: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
    create_charge: { rate_limit: '3/minute' },
  },
  resources: { 'file:///public/**': 'allow' },
  prompts: { greet: 'allow' },
};

/** The same policy, tightened in three places. */
const TIGHTENED = {
  ...RECORDED,
  tools: {
    ...RECORDED.tools,
    read_file: {
      ...RECORDED.tools.read_file,
      rules: [{ when: { properties: { path: { type: 'string', pattern: '(^|/)\\.env' } }, required: ['path'] }, action: 'deny', reason: 'secrets' }],
    },
    create_charge: { rate_limit: '2/minute' },
  },
  prompts: { greet: 'deny' },
};

/** One session's worth of traffic; returns the number of decisions it makes. */
async function drive(client: Client): Promise<number> {
  expect(await call(client, 'echo', { text: 'hi' })).toBe('allowed');
  expect(await call(client, 'read_file', { path: '/tmp/notes.txt' })).toBe('allowed');
  expect(await call(client, 'read_file', { path: '/home/me/app/.env' })).toBe('allowed');
  expect(await call(client, 'shell_exec', { cmd: 'ls' })).toBe('denied');
  for (let i = 0; i < 3; i++) expect(await call(client, 'create_charge', { amount: 1 })).toBe('allowed');
  expect(await call(client, 'create_charge', { amount: 1 })).toBe('rate_limited');
  await client.readResource({ uri: 'file:///public/readme.txt' });
  await expect(client.readResource({ uri: 'file:///secrets/key.pem' })).rejects.toBeInstanceOf(McpError);
  await client.getPrompt({ name: 'greet' });
  return 11;
}

interface ReplayJson {
  policy: string;
  logs: string[];
  report: {
    records: number;
    replayed: number;
    unchanged: number;
    changes: Array<{ subject: string; method: string; before: { decision: string; rule: string }; after: { decision: string; rule: string } }>;
    counts: Array<{ before: string; beforeRule: string; after: string; afterRule: string; count: number }>;
    cannotReplay: { count: number; calls: Array<{ method: string; subject: string; count: number }> };
  };
}

let withArguments: Workspace;
let withoutArguments: Workspace;
beforeAll(async () => {
  withArguments = await recordSession(RECORDED, drive);
  const { audit: _audit, ...noArguments } = RECORDED;
  withoutArguments = await recordSession(noArguments, drive);
}, 60_000);

describe('mcp-guard replay on a log recorded through the built CLI', () => {
  it('recorded every call, with its arguments only when audit.arguments is true', () => {
    expect(auditRecords(withArguments.auditFile).filter((r) => r.method === 'tools/call').every((r) => 'arguments' in r)).toBe(true);
    expect(auditRecords(withoutArguments.auditFile).some((r) => 'arguments' in r)).toBe(false);
  });

  it('reports exactly the calls a tightened policy decides differently, counted per change, and exits 1', async () => {
    const dir = files({ 'tightened.json': TIGHTENED });
    const run = await cli(['replay', '--json', '--policy', join(dir, 'tightened.json'), withArguments.auditFile]);
    expect(run.code, run.stderr).toBe(1);
    const { report } = JSON.parse(run.stdout) as ReplayJson;
    expect(report).toMatchObject({ records: 11, replayed: 11, unchanged: 8, cannotReplay: { count: 0 } });
    expect(report.changes.map((c) => [c.subject, c.before.decision, c.after.decision, c.after.rule])).toEqual([
      ['read_file', 'allowed', 'denied', 'tools.read_file.rules[0]'],
      ['create_charge', 'allowed', 'rate_limited', 'tools.create_charge.rate_limit'],
      ['greet', 'allowed', 'denied', 'prompts.greet'],
    ]);
    expect(report.counts).toEqual(
      expect.arrayContaining([
        { before: 'allowed', beforeRule: 'tools.read_file', after: 'denied', afterRule: 'tools.read_file.rules[0]', count: 1 },
        { before: 'allowed', beforeRule: 'tools.create_charge', after: 'rate_limited', afterRule: 'tools.create_charge.rate_limit', count: 1 },
        { before: 'allowed', beforeRule: 'prompts.greet', after: 'denied', afterRule: 'prompts.greet', count: 1 },
      ]),
    );

    const text = await cli(['replay', '-p', join(dir, 'tightened.json'), withArguments.auditFile]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('tools/call read_file  allowed (tools.read_file) → denied (tools.read_file.rules[0])');
    expect(text.stdout).toContain('  allowed (tools.create_charge) → rate_limited (tools.create_charge.rate_limit): 1\n');
    expect(text.stdout.trimEnd().split('\n').pop()).toBe('3 changes, 8 unchanged, 0 cannot replay');
  });

  it('reports no change under the policy the log was recorded with (found as run finds it), and exits 0', async () => {
    const run = await cli(['replay', '--json', withArguments.auditFile], { env: { MCP_GUARD_POLICY: withArguments.policyFile } });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as ReplayJson;
    expect(parsed.policy).toBe(withArguments.policyFile);
    expect(parsed.report).toMatchObject({ records: 11, replayed: 11, unchanged: 11, changes: [], counts: [], cannotReplay: { count: 0 } });
  });

  it('counts calls recorded without the arguments the policy reads as "cannot replay", and exits 1', async () => {
    const run = await cli(['replay', '--json', '-p', withArguments.policyFile, withoutArguments.auditFile]);
    expect(run.code).toBe(1);
    const { report } = JSON.parse(run.stdout) as ReplayJson;
    // read_file has an args schema; echo, create_charge, resources and prompts are judged without arguments.
    expect(report).toMatchObject({ records: 11, replayed: 9, unchanged: 9, changes: [], cannotReplay: { count: 2, calls: [{ method: 'tools/call', subject: 'read_file', count: 2 }] } });
    const text = await cli(['replay', '-p', withArguments.policyFile, withoutArguments.auditFile]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/cannot replay: 2 \(read_file ×2\): recorded without arguments/);
  });

  it('replays several logs as one timeline', async () => {
    const dir = files({ 'tightened.json': TIGHTENED });
    const run = await cli(['replay', '--json', '-p', join(dir, 'tightened.json'), withArguments.auditFile, withArguments.auditFile]);
    const { report } = JSON.parse(run.stdout) as ReplayJson;
    // Each record twice, at the same times: the doubled charges trip the 2/minute limit sooner.
    expect(report.records).toBe(22);
    expect(report.changes.filter((c) => c.subject === 'create_charge').length).toBeGreaterThan(1);
  });

  it('exits 2 for a log that does not exist or a policy with errors, and counts lines that are not records', async () => {
    const dir = files({ 'bad.json': { version: '1', tools: { a: 'alow' } }, 'torn.jsonl': '{"time":"2026-01-01T00:00:00Z","session":"s","direction":"client→server","method":"ping","decision":"allowed","rule":"methods.ping","dryRun":false}\n{"time":' });
    const missing = await cli(['replay', '-p', withArguments.policyFile, join(dir, 'nope.jsonl')]);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toMatch(/^mcp-guard: audit log not found: .*nope\.jsonl\n$/);
    const bad = await cli(['replay', '-p', join(dir, 'bad.json'), withArguments.auditFile]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/alow/);
    const torn = await cli(['replay', '--json', '-p', withArguments.policyFile, join(dir, 'torn.jsonl')]);
    expect(torn.code).toBe(0);
    expect(JSON.parse(torn.stdout)).toMatchObject({ unreadable: [{ file: join(dir, 'torn.jsonl'), line: 2 }], report: { records: 1, replayed: 1 } });
    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect((await cli(['replay', '-p', withArguments.policyFile])).code).toBe(2);
  });
});
