import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, connect, ROOT, workspace } from './support/guard.js';

/** PolicyLayer's JSON policy through the built CLI: lint --fix on a copy, and a guarded session that refuses what PolicyLayer would. */

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], cwd: string): Promise<Run> {
  const env = { ...process.env, MCP_GUARD_POLICY: '', NO_COLOR: '1' };
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

const PAYMENTS = join(ROOT, 'examples/payments.policy.json');

/** Calls whose decisions must not change with the rewrite: [tool, arguments]. */
const CALLS: Array<[string, Record<string, unknown>]> = [
  ['create_refund', { amount: 1200 }],
  ['create_refund', { amount: 1200, reason: 'damaged' }],
  ['create_refund', { amount: 9000, reason: 'damaged' }],
  ['create_charge', { amount: 1500, currency: 'usd' }],
  ['create_charge', { amount: 1500, currency: 'gbp' }],
  ['create_charge', { amount: '30000', currency: 'usd' }],
  ['create_payout', { amount: 1 }],
  ['delete_customer', {}],
  ['list_customers', {}],
];

async function decisions(policy: string, cwd: string) {
  const out = [];
  for (const [tool, args] of CALLS) {
    const r = await cli(['check', '--json', '-p', policy, tool, JSON.stringify(args)], cwd);
    const { decision, rule, reason } = JSON.parse(r.stdout) as Record<string, unknown>;
    out.push({ tool, decision, rule, reason });
  }
  return out;
}

describe('mcp-guard lint --fix', () => {
  it('rewrites a PolicyLayer policy into the native format, says what it changed, and decides the same', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-fix-'));
    copyFileSync(PAYMENTS, join(dir, 'payments.policy.json'));
    const before = await decisions('payments.policy.json', dir);

    const notes = await cli(['lint', 'payments.policy.json'], dir);
    expect(notes.code).toBe(0);
    expect(notes.stdout).toMatch(/payments\.policy\.json:\d+:\d+ {2}info {5}tools\.create_refund\.require\[0\]: .*\(policylayer\)/);
    expect(notes.stdout).toContain('✔ no problems in 1 file; 6 notes');

    const fixed = await cli(['lint', '--fix', 'payments.policy.json'], dir);
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toBe('');
    expect(fixed.stdout).toContain('payments.policy.json: rewrote 6 PolicyLayer constructs into the native format (same decisions):');
    expect(fixed.stdout).toContain('  tools.create_refund.require[0] → tools.create_refund.rules[0]');
    expect(fixed.stdout).toContain('  tools.create_charge.limits[0].increment_from → "amount"');
    expect(fixed.stdout).toContain('  tools.create_payout.deny_if[0] → tools.create_payout.action "deny"');
    expect(fixed.stdout.trimEnd().endsWith('✔ no problems in 1 file')).toBe(true);

    const text = readFileSync(join(dir, 'payments.policy.json'), 'utf8');
    expect(text).not.toMatch(/"require"|"deny_if"|"args\./);
    expect(JSON.parse(text).tools.create_charge.limits[0]).toEqual({ counter: 'daily_spend', window: 'day', max: 100000, increment_from: 'amount', scope: 'grant' });
    expect(await decisions('payments.policy.json', dir)).toEqual(before);

    const again = await cli(['lint', '--fix', 'payments.policy.json'], dir);
    expect(again.stdout).toContain('payments.policy.json: nothing to fix');
    expect(readFileSync(join(dir, 'payments.policy.json'), 'utf8')).toBe(text);
  });

  it('with --format json, stdout is the report alone and the changes go to stderr; YAML stays YAML', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-fix-'));
    writeFileSync(join(dir, 'p.yaml'), '# refunds\nversion: "1"\ndefault: deny\ntools:\n  create_refund:\n    require:\n      - conditions: [{ path: args.reason, op: exists, value: true }]\n        on_deny: say why\n');
    const r = await cli(['lint', '--fix', '--format', 'json', 'p.yaml'], dir);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ errorCount: 0, warningCount: 0, infoCount: 0, messages: [] })]);
    expect(r.stderr).toBe('mcp-guard: p.yaml: rewrote 1 PolicyLayer construct into the native format (same decisions):\nmcp-guard:   tools.create_refund.require[0] → tools.create_refund.rules[0]\n');
    const text = readFileSync(join(dir, 'p.yaml'), 'utf8');
    expect(text.startsWith('# refunds\nversion: "1"\n')).toBe(true);
    const check = await cli(['check', '--json', '-p', 'p.yaml', 'create_refund', '{}'], dir);
    expect(JSON.parse(check.stdout)).toMatchObject({ decision: 'denied', rule: 'tools.create_refund.rules[0]', reason: 'say why' });
  });

  it('does not rewrite a file with errors, and exits 1 with them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-fix-'));
    const bad = JSON.stringify({ version: '1', default: 'deny', tools: { t: { deny_if: [{ conditions: [{ path: 'args.a', op: 'gt', value: '1' }] }] } } });
    writeFileSync(join(dir, 'bad.json'), bad);
    const r = await cli(['lint', '--fix', 'bad.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('bad.json: not fixed: it has 1 error (below); correct it first');
    expect(r.stdout).toContain('(invalid-condition)');
    expect(readFileSync(join(dir, 'bad.json'), 'utf8')).toBe(bad);
  });
});

describe('a PolicyLayer policy guarding a real server', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('refuses what PolicyLayer would refuse, and relays the rest', async () => {
    const ws = workspace({
      version: '1',
      default: 'deny',
      hide: ['delete_file'],
      tools: {
        echo: {},
        read_file: { require: [{ conditions: [{ path: 'args.path', op: 'regex', value: '^/tmp/' }], on_deny: 'only files under /tmp' }] },
        create_charge: {
          deny_if: [{ conditions: [{ path: 'args.amount', op: 'gt', value: 10000 }], on_deny: 'charges over 10000 need a person' }],
          limits: [{ window: 'day', max: 15000, increment_from: 'args.amount' }],
        },
        shell_exec: { deny_if: [{ conditions: [], on_deny: 'Requires human approval.' }] },
      },
    });
    const { client } = await connect(ws);
    closers.push(() => client.close());
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual(['create_charge', 'echo', 'read_file', 'shell_exec']);

    const meta = async (name: string, args: Record<string, unknown>) => (await client.callTool({ name, arguments: args }))._meta?.['mcp-guard'];
    expect(await meta('create_charge', { amount: 20000 })).toMatchObject({ decision: 'denied', rule: 'tools.create_charge.rules[0]', reason: 'charges over 10000 need a person' });
    expect(await meta('create_charge', { amount: '20000' })).toMatchObject({ decision: 'denied', rule: 'tools.create_charge.rules[0]' });
    expect(await meta('create_charge', { amount: 9000 })).toBeUndefined();
    expect(await meta('create_charge', { amount: 9000 })).toMatchObject({ decision: 'rate_limited', rule: 'tools.create_charge.limits[0]' });
    expect(await meta('read_file', { path: '/etc/passwd' })).toMatchObject({ decision: 'denied', rule: 'tools.read_file.rules[0]', reason: 'only files under /tmp' });
    expect(await meta('read_file', {})).toMatchObject({ decision: 'denied', rule: 'tools.read_file.rules[0]' });
    expect(await meta('read_file', { path: '/tmp/notes.txt' })).toBeUndefined();
    expect(await meta('shell_exec', { cmd: 'ls' })).toMatchObject({ decision: 'denied', rule: 'tools.shell_exec', reason: 'Requires human approval.' });
    expect(await meta('delete_file', { path: '/tmp/x' })).toMatchObject({ decision: 'denied', rule: 'hide' });

    // The server saw exactly the calls the policy let through.
    const calls = ws.recorded().filter((m) => m.method === 'tools/call').map((m) => m.params);
    expect(calls).toEqual([
      { name: 'create_charge', arguments: { amount: 9000 } },
      { name: 'read_file', arguments: { path: '/tmp/notes.txt' } },
    ]);
  });
});
