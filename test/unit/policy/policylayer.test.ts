import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PolicyError } from '../../../src/errors.js';
import { fixFiles } from '../../../src/lint/fix.js';
import { lintFiles } from '../../../src/lint/lint-files.js';
import { compilePolicy } from '../../../src/policy/engine/compile.js';
import { decideMessage, isToolVisible } from '../../../src/policy/engine/decide.js';
import type { Decision } from '../../../src/policy/engine/decision.js';
import { hostFileSystem } from '../../../src/policy/host-file-system.js';
import { loadPolicy } from '../../../src/policy/load.js';

/**
 * PolicyLayer's JSON policy ("Writing policies"), construct by construct, through the real
 * loader, compilePolicy and decideMessage: for each, calls that must pass and calls that must be
 * refused, with the decision and the rule path. See docs/policylayer.md for the mapping.
 */

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'mcp-guard-policylayer-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function write(policy: unknown, ext = 'json'): string {
  const file = path.join(dir, `p${n++}.${ext}`);
  writeFileSync(file, typeof policy === 'string' ? policy : JSON.stringify(policy, null, 2));
  return file;
}

async function compiled(file: string) {
  const loaded = await loadPolicy(file);
  return compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() });
}

async function decide(file: string, tool: string, args: Record<string, unknown>): Promise<Decision> {
  return decideMessage(await compiled(file), 'client→server', 'tools/call', { name: tool, arguments: args });
}

type C = { path: string; op: string; value: unknown };
const requireOne = (c: C, onDeny?: string) => ({ version: '1', default: 'deny', tools: { t: { require: [{ conditions: [c], ...(onDeny ? { on_deny: onDeny } : {}) }] } } });
const denyOne = (c: C, onDeny?: string) => ({ version: '1', default: 'deny', tools: { t: { deny_if: [{ conditions: [c], ...(onDeny ? { on_deny: onDeny } : {}) }] } } });

const ALLOW = { outcome: 'allow', rule: 'tools.t' };
const REFUSED = { outcome: 'refuse', decision: 'denied', rule: 'tools.t.rules[0]' };

/** [construct, condition, arguments, allowed?] — for `require`: refused unless it holds; a missing argument does not hold. */
const REQUIRE: Array<[string, C, Record<string, unknown>, boolean]> = [
  ['exists true: present', { path: 'args.reason', op: 'exists', value: true }, { reason: 'duplicate charge' }, true],
  ['exists true: missing', { path: 'args.reason', op: 'exists', value: true }, {}, false],
  ['exists true: null counts as missing', { path: 'args.reason', op: 'exists', value: true }, { reason: null }, false],
  ['exists true: empty string is present', { path: 'args.reason', op: 'exists', value: true }, { reason: '' }, true],
  ['exists false: missing', { path: 'args.force', op: 'exists', value: false }, {}, true],
  ['exists false: present', { path: 'args.force', op: 'exists', value: false }, { force: true }, false],
  ['eq: equal', { path: 'args.currency', op: 'eq', value: 'usd' }, { currency: 'usd' }, true],
  ['eq: different', { path: 'args.currency', op: 'eq', value: 'usd' }, { currency: 'eur' }, false],
  ['eq: missing', { path: 'args.currency', op: 'eq', value: 'usd' }, {}, false],
  ['eq: number 5 equals 5.0', { path: 'args.n', op: 'eq', value: 5 }, { n: 5.0 }, true],
  ['eq: another type is not equal', { path: 'args.n', op: 'eq', value: 5 }, { n: '5' }, false],
  ['neq: different', { path: 'args.branch', op: 'neq', value: 'main' }, { branch: 'fix' }, true],
  ['neq: equal', { path: 'args.branch', op: 'neq', value: 'main' }, { branch: 'main' }, false],
  ['neq: missing', { path: 'args.branch', op: 'neq', value: 'main' }, {}, false],
  ['in: listed', { path: 'args.currency', op: 'in', value: ['usd', 'eur'] }, { currency: 'eur' }, true],
  ['in: not listed', { path: 'args.currency', op: 'in', value: ['usd', 'eur'] }, { currency: 'gbp' }, false],
  ['not_in: not listed', { path: 'args.role', op: 'not_in', value: ['admin'] }, { role: 'viewer' }, true],
  ['not_in: listed', { path: 'args.role', op: 'not_in', value: ['admin'] }, { role: 'admin' }, false],
  ['not_in: missing', { path: 'args.role', op: 'not_in', value: ['admin'] }, {}, false],
  ['lte: at the bound', { path: 'args.amount', op: 'lte', value: 50000 }, { amount: 50000 }, true],
  ['lte: over', { path: 'args.amount', op: 'lte', value: 50000 }, { amount: 50001 }, false],
  ['lte: a numeric string is not a number', { path: 'args.amount', op: 'lte', value: 50000 }, { amount: '100' }, false],
  ['lt: under', { path: 'args.amount', op: 'lt', value: 100 }, { amount: 99.5 }, true],
  ['lt: at the bound', { path: 'args.amount', op: 'lt', value: 100 }, { amount: 100 }, false],
  ['gt: over', { path: 'args.count', op: 'gt', value: 0 }, { count: 1 }, true],
  ['gt: at the bound', { path: 'args.count', op: 'gt', value: 0 }, { count: 0 }, false],
  ['gte: at the bound', { path: 'args.count', op: 'gte', value: 1 }, { count: 1 }, true],
  ['gte: under', { path: 'args.count', op: 'gte', value: 1 }, { count: 0 }, false],
  ['regex: matches (unanchored, as a search)', { path: 'args.branch', op: 'regex', value: '^feat/' }, { branch: 'feat/login' }, true],
  ['regex: does not match', { path: 'args.branch', op: 'regex', value: '^feat/' }, { branch: 'main' }, false],
  ['regex: not a string', { path: 'args.branch', op: 'regex', value: '^feat/' }, { branch: 7 }, false],
  ['regex: Go (RE2) syntax, as PolicyLayer writes it: (?i)', { path: 'args.branch', op: 'regex', value: '(?i)^FEAT/' }, { branch: 'feat/x' }, true],
  // Go's meaning, not JavaScript's (which native `pattern`s have): `.` stops only at "\n", `\s` is ASCII, `]` first in a class is literal.
  ['regex: Go meaning of .', { path: 'args.q', op: 'regex', value: '^a.b$' }, { q: 'a\rb' }, true],
  ['regex: Go meaning of \\s', { path: 'args.q', op: 'regex', value: '^\\s' }, { q: '\u00a0' }, false],
  ['regex: Go meaning of []a]', { path: 'args.q', op: 'regex', value: '^[]a]$' }, { q: ']' }, true],
  ['contains: substring', { path: 'args.title', op: 'contains', value: 'JIRA-' }, { title: 'fix JIRA-12' }, true],
  ['contains: substring with regex characters taken literally', { path: 'args.q', op: 'contains', value: 'a.b' }, { q: 'axb' }, false],
  ['contains: list item', { path: 'args.labels', op: 'contains', value: 'reviewed' }, { labels: ['bug', 'reviewed'] }, true],
  ['contains: list without the item', { path: 'args.labels', op: 'contains', value: 'reviewed' }, { labels: ['bug'] }, false],
  ['nested path: present', { path: 'args.order.total', op: 'lte', value: 100 }, { order: { total: 40 } }, true],
  ['nested path: parent is not an object', { path: 'args.order.total', op: 'lte', value: 100 }, { order: 40 }, false],
  ['nested path: missing', { path: 'args.order.total', op: 'lte', value: 100 }, { order: {} }, false],
];

/** For `deny_if`: refused when it holds; a missing argument does not match; a value the op cannot compare counts as matching. */
const DENY_IF: Array<[string, C, Record<string, unknown>, boolean]> = [
  ['gt: over', { path: 'args.amount', op: 'gt', value: 10000 }, { amount: 10001 }, false],
  ['gt: at the bound', { path: 'args.amount', op: 'gt', value: 10000 }, { amount: 10000 }, true],
  ['gt: missing does not match', { path: 'args.amount', op: 'gt', value: 10000 }, {}, true],
  ['gt: a string cannot be compared, refused', { path: 'args.amount', op: 'gt', value: 10000 }, { amount: '20000' }, false],
  ['gte / lt / lte', { path: 'args.amount', op: 'lt', value: 0 }, { amount: -1 }, false],
  ['eq: equal', { path: 'args.env', op: 'eq', value: 'prod' }, { env: 'prod' }, false],
  ['eq: different', { path: 'args.env', op: 'eq', value: 'prod' }, { env: 'dev' }, true],
  ['eq: another type, refused', { path: 'args.env', op: 'eq', value: 'prod' }, { env: ['prod'] }, false],
  ['neq: different', { path: 'args.currency', op: 'neq', value: 'usd' }, { currency: 'eur' }, false],
  ['neq: equal', { path: 'args.currency', op: 'neq', value: 'usd' }, { currency: 'usd' }, true],
  ['neq: missing does not match', { path: 'args.currency', op: 'neq', value: 'usd' }, {}, true],
  ['in: listed', { path: 'args.table', op: 'in', value: ['users', 'payments'] }, { table: 'users' }, false],
  ['in: not listed', { path: 'args.table', op: 'in', value: ['users', 'payments'] }, { table: 'logs' }, true],
  ['not_in: not listed', { path: 'args.currency', op: 'not_in', value: ['usd', 'eur'] }, { currency: 'gbp' }, false],
  ['not_in: listed', { path: 'args.currency', op: 'not_in', value: ['usd', 'eur'] }, { currency: 'usd' }, true],
  ['regex: matches', { path: 'args.sql', op: 'regex', value: '(?:drop|truncate)\\s+table' }, { sql: 'drop  table users' }, false],
  ['regex: no match', { path: 'args.sql', op: 'regex', value: '(?:drop|truncate)\\s+table' }, { sql: 'select 1' }, true],
  ['contains: substring', { path: 'args.path', op: 'contains', value: '..' }, { path: 'a/../../etc' }, false],
  ['contains: no substring', { path: 'args.path', op: 'contains', value: '..' }, { path: 'a/b' }, true],
  ['contains: a number cannot be searched, refused', { path: 'args.path', op: 'contains', value: '..' }, { path: 12 }, false],
  ['exists true: present', { path: 'args.force', op: 'exists', value: true }, { force: false }, false],
  ['exists true: missing', { path: 'args.force', op: 'exists', value: true }, {}, true],
  ['exists false: missing', { path: 'args.reason', op: 'exists', value: false }, {}, false],
];

describe('require: a call is refused unless every condition holds', () => {
  it.each(REQUIRE)('%s', async (_name, condition, args, allowed) => {
    const decision = await decide(write(requireOne(condition, 'needs it')), 't', args);
    expect(decision).toMatchObject(allowed ? ALLOW : { ...REFUSED, reason: 'needs it' });
  });
});

describe('deny_if: a call is refused when every condition holds', () => {
  it.each(DENY_IF)('%s', async (_name, condition, args, allowed) => {
    const decision = await decide(write(denyOne(condition, 'not that')), 't', args);
    expect(decision).toMatchObject(allowed ? ALLOW : { ...REFUSED, reason: 'not that' });
  });
});

describe('entries, lists and their order', () => {
  it('conditions of one entry are ANDed; entries of one list each refuse on their own', async () => {
    const file = write({
      version: '1',
      default: 'deny',
      tools: {
        create_charge: {
          require: [{ conditions: [{ path: 'args.currency', op: 'in', value: ['usd', 'eur'] }], on_deny: 'usd or eur only' }],
          deny_if: [
            { conditions: [{ path: 'args.amount', op: 'gt', value: 10000 }, { path: 'args.currency', op: 'eq', value: 'usd' }], on_deny: 'large usd charge' },
            { conditions: [{ path: 'args.customer', op: 'regex', value: '^test_' }], on_deny: 'no test customers' },
          ],
        },
      },
    });
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ currency: 'usd', amount: 500 }, { outcome: 'allow', rule: 'tools.create_charge' }],
      [{ currency: 'eur', amount: 50000 }, { outcome: 'allow' }],
      [{ currency: 'usd', amount: 50000 }, { outcome: 'refuse', rule: 'tools.create_charge.rules[1]', reason: 'large usd charge' }],
      [{ currency: 'gbp', amount: 5 }, { outcome: 'refuse', rule: 'tools.create_charge.rules[0]', reason: 'usd or eur only' }],
      // require entries come first, then deny_if, in file order: the first that refuses names the rule.
      [{ currency: 'gbp', amount: 50000, customer: 'test_1' }, { outcome: 'refuse', rule: 'tools.create_charge.rules[0]' }],
      [{ currency: 'usd', amount: 1, customer: 'test_1' }, { outcome: 'refuse', rule: 'tools.create_charge.rules[2]', reason: 'no test customers' }],
    ];
    for (const [args, expected] of cases) expect(await decide(file, 'create_charge', args), JSON.stringify(args)).toMatchObject(expected);
  });

  it('deny_if with no conditions refuses every call, keeps the tool visible, and names the entry', async () => {
    const file = write({ version: '1', default: 'deny', tools: { create_payout: { deny_if: [{ conditions: [], on_deny: 'Requires human approval.' }] } } });
    expect(await decide(file, 'create_payout', { amount: 1 })).toMatchObject({ outcome: 'refuse', decision: 'denied', rule: 'tools.create_payout', reason: 'Requires human approval.' });
    expect(isToolVisible(await compiled(file), 'create_payout')).toBe(true);
  });

  it('require with no conditions is always met; {} allows under default deny', async () => {
    const file = write({ version: '1', default: 'deny', tools: { list_customers: {}, get_balance: { require: [{ conditions: [] }] } } });
    expect(await decide(file, 'list_customers', {})).toMatchObject({ outcome: 'allow', rule: 'tools.list_customers' });
    expect(await decide(file, 'get_balance', {})).toMatchObject({ outcome: 'allow', rule: 'tools.get_balance' });
    expect(await decide(file, 'delete_customer', {})).toMatchObject({ outcome: 'refuse', rule: 'default' });
  });

  it('without on_deny, the reason states the condition', async () => {
    const required = await decide(write(requireOne({ path: 'args.reason', op: 'exists', value: true })), 't', {});
    expect(required).toMatchObject({ outcome: 'refuse', reason: 'this call needs args.reason to be present' });
    const denied = await decide(write(denyOne({ path: 'args.amount', op: 'gt', value: 10000 })), 't', { amount: 20000 });
    expect(denied).toMatchObject({ outcome: 'refuse', reason: 'refused because args.amount is greater than 10000 (or is not a number)' });
    const all = await decide(write({ version: '1', default: 'deny', tools: { t: { deny_if: [{ conditions: [] }] } } }), 't', {});
    expect(all).toMatchObject({ outcome: 'refuse', rule: 'tools.t', reason: 'refused by policy' });
  });

  it('is judged before the entry\'s own rules, which a PolicyLayer refusal can never be overridden by', async () => {
    const file = write({
      version: '1',
      default: 'deny',
      tools: {
        t: {
          rules: [{ when: {}, action: 'allow' }],
          deny_if: [{ conditions: [{ path: 'args.x', op: 'eq', value: 1 }] }],
        },
        u: { action: 'ask', require: [{ conditions: [{ path: 'args.ok', op: 'eq', value: true }] }] },
      },
    });
    expect(await decide(file, 't', { x: 1 })).toMatchObject({ outcome: 'refuse', rule: 'tools.t.rules[0]' });
    expect(await decide(file, 't', { x: 2 })).toMatchObject({ outcome: 'allow', rule: 'tools.t.rules[1]' });
    expect(await decide(file, 'u', {})).toMatchObject({ outcome: 'refuse', rule: 'tools.u.rules[0]' });
    expect(await decide(file, 'u', { ok: true })).toMatchObject({ outcome: 'ask', rule: 'tools.u' });
  });
});

describe('limits, hide and default, as PolicyLayer writes them', () => {
  it('counter, window, max and scope: the seed\'s grant-wide rate limit', async () => {
    const file = write({ version: '1', default: 'deny', tools: { python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] } } });
    expect(await decide(file, 'python_venv', {})).toMatchObject({ outcome: 'allow', charges: [{ counter: 'python_venv_rate', windowMs: 60_000, max: 10, scope: 'grant', amount: 1 }] });
  });

  it('increment_from "args.amount" counts the amount argument, per tool and in all_tools', async () => {
    const file = write({
      version: '1',
      default: 'deny',
      all_tools: { limits: [{ counter: 'spend', window: 'day', max: 1000000, increment_from: 'args.amount' }] },
      tools: { create_charge: { limits: [{ window: 'day', max: 500000, increment_from: 'args.amount', scope: 'grant' }] } },
    });
    expect(await decide(file, 'create_charge', { amount: 2500 })).toMatchObject({
      outcome: 'allow',
      charges: [
        { counter: 'create_charge', amount: 2500, max: 500000, scope: 'grant', rule: 'tools.create_charge.limits[0]' },
        { counter: 'spend', amount: 2500, rule: 'all_tools.limits[0]' },
      ],
    });
    expect(await decide(file, 'create_charge', {})).toMatchObject({ outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.create_charge.limits[0]' });
  });

  it('hide: ["*"] hides and refuses every tool', async () => {
    const policy = await compiled(write({ version: '1', default: 'allow', hide: ['*'], tools: { list_customers: {} } }));
    expect(isToolVisible(policy, 'list_customers')).toBe(false);
    expect(decideMessage(policy, 'client→server', 'tools/call', { name: 'list_customers', arguments: {} })).toMatchObject({ outcome: 'refuse', rule: 'hide', reason: 'the tool "list_customers" is not available' });
  });
});

describe('what lint says', () => {
  async function problems(policy: unknown) {
    const [result] = await lintFiles([write(policy)]);
    return result!.problems.map((p) => ({ ruleId: p.ruleId, severity: p.severity, path: p.path, message: p.message }));
  }

  it('notes each PolicyLayer construct with the native form it is judged as; nothing else', async () => {
    const found = await problems(requireOne({ path: 'args.reason', op: 'exists', value: true }));
    expect(found).toEqual([
      expect.objectContaining({ ruleId: 'policylayer', severity: 'info', path: 'tools.t.require[0]', message: expect.stringContaining('the native form is tools.t.rules[0]: {"$comment"') }),
    ]);
  });

  it('notes a limit without a scope in a PolicyLayer policy (per session here, per grant there)', async () => {
    const policy = { version: '1', default: 'deny', tools: { t: { require: [{ conditions: [] }], limits: [{ window: 'minute', max: 30 }, { window: 'day', max: 9, scope: 'grant' }] } } };
    expect((await problems(policy)).filter((p) => p.path.includes('limits'))).toEqual([
      expect.objectContaining({ ruleId: 'policylayer', severity: 'info', path: 'tools.t.limits[0]', message: expect.stringContaining('add "scope": "grant"') }),
    ]);
    // A native policy is not told about PolicyLayer.
    expect(await problems({ version: '1', default: 'deny', tools: { t: { limits: [{ window: 'minute', max: 30 }] } } })).toEqual([]);
  });

  it('errors for a condition it cannot judge, with the fix', async () => {
    const cases: Array<[C, string, RegExp]> = [
      [{ path: 'amount', op: 'gt', value: 1 }, 'invalid-condition', /"amount" is not an argument path; .*did you mean "args\.amount"\?/],
      [{ path: 'state.create_charge.daily', op: 'lt', value: 1 }, 'invalid-condition', /counters are written as "limits" here/],
      [{ path: 'args.', op: 'eq', value: 1 }, 'invalid-condition', /is not an argument path/],
      [{ path: 'args.amount', op: 'gt', value: '10000' }, 'invalid-condition', /"10000" is not a number; "gt" compares a number \(write 10000 without quotes\)/],
      [{ path: 'args.c', op: 'in', value: 'usd' }, 'invalid-condition', /is not a list/],
      [{ path: 'args.c', op: 'exists', value: 'yes' }, 'invalid-condition', /is not true or false/],
      [{ path: 'args.c', op: 'regex', value: '(' }, 'invalid-schema', /is not a regular expression mcp-guard can run in linear time/],
      [{ path: 'args.c', op: 'regex', value: '(a)\\1' }, 'invalid-schema', /backreferences/],
      [{ path: 'args.c', op: 'greater', value: 1 }, 'invalid-value', /is not a condition operator; use "eq", "neq"/],
    ];
    for (const [condition, ruleId, message] of cases) {
      const found = await problems(denyOne(condition));
      expect(found.filter((p) => p.severity === 'error'), JSON.stringify(condition)).toEqual([expect.objectContaining({ ruleId, message: expect.stringMatching(message) })]);
      // A condition that does not load gets no note about its native form.
      expect(found.filter((p) => p.ruleId === 'policylayer')).toEqual([]);
    }
    const unknown = await problems({ version: '1', default: 'deny', tools: { t: { deny_if: [{ conditions: [{ path: 'args.a', op: 'eq', value: 1, operator: 'eq' }], message: 'x' }] } } });
    expect(unknown.map((p) => [p.ruleId, p.path])).toEqual([
      ['unknown-key', 'tools.t.deny_if[0].conditions[0].operator'],
      ['unknown-key', 'tools.t.deny_if[0].message'],
    ]);
  });

  it('run refuses such a policy, as it refuses any policy with errors', async () => {
    const error = await loadPolicy(write(denyOne({ path: 'amount', op: 'gt', value: 1 }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolicyError);
    expect((error as PolicyError).problems.map((p) => p.ruleId)).toEqual(['invalid-condition']);
  });
});

describe('lint --fix', () => {
  it('writes the native form into a JSON file: it loads to the same policy and lints without a note', async () => {
    const source = { version: '1', default: 'deny', tools: { create_refund: { require: [{ conditions: [{ path: 'args.reason', op: 'exists', value: true }], on_deny: 'needs a reason' }] } } };
    const file = write(source);
    const before = (await loadPolicy(file)).document;
    const [result] = await fixFiles([file]);
    expect(result!.changes.map((c) => [c.path.join('.'), c.to])).toEqual([['tools.create_refund.require.0', 'tools.create_refund.rules[0]']]);
    expect((await loadPolicy(file)).document).toEqual(before);
    expect(readFileSync(file, 'utf8')).toMatch(/^\{\n {2}"version": "1",\n/);
    expect(JSON.parse(readFileSync(file, 'utf8')).tools.create_refund).not.toHaveProperty('require');
    const [linted] = await lintFiles([file]);
    expect(linted!.problems).toEqual([]);
    expect((await fixFiles([file]))[0]!.changes).toEqual([]);
  });

  it('keeps YAML as YAML, comments included', async () => {
    const file = write('# payments\nversion: "1"\ndefault: deny\ntools:\n  # reads are fine\n  list_charges: {}\n  create_charge:\n    deny_if:\n      - conditions: [{ path: args.amount, op: gt, value: 10000 }]\n', 'yaml');
    await fixFiles([file]);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('# payments\n');
    expect(text).toContain('# reads are fine\n');
    expect(text).toContain('exclusiveMinimum: 10000');
    expect(await decide(file, 'create_charge', { amount: 10001 })).toMatchObject({ outcome: 'refuse', rule: 'tools.create_charge.rules[0]' });
  });

  it('leaves a file with errors alone, and says why', async () => {
    const file = write({ version: '1', default: 'deny', tools: { t: { deny_if: [{ conditions: [{ path: 'args.a', op: 'gt', value: 'x' }] }], limits: [{ window: 'day', max: 1, increment_from: 'args.a' }] } } });
    const text = readFileSync(file, 'utf8');
    const [result] = await fixFiles([file]);
    expect(result).toMatchObject({ changes: [], skipped: expect.stringMatching(/^not fixed: it has 1 error/) });
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('follows a symlinked policy and writes its target', async () => {
    const target = write(denyOne({ path: 'args.a', op: 'eq', value: 1 }));
    mkdirSync(path.join(dir, 'links'), { recursive: true });
    const link = path.join(dir, 'links', 'policy.json');
    const { symlinkSync, lstatSync } = await import('node:fs');
    symlinkSync(target, link);
    await fixFiles([link]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).tools.t.rules).toHaveLength(1);
  });
});

describe('examples/payments.policy.json decides as PolicyLayer says', () => {
  const example = path.resolve(import.meta.dirname, '../../../examples/payments.policy.json');
  const CALLS: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['list_customers', {}, { outcome: 'allow', rule: 'tools.list_customers', charges: [expect.objectContaining({ counter: 'payments_calls', max: 60, scope: 'grant' })] }],
    ['create_refund', { charge: 'ch_1', amount: 1200 }, { outcome: 'refuse', decision: 'denied', rule: 'tools.create_refund.rules[0]', reason: 'Refunds need a reason: pass one in the reason argument.' }],
    ['create_refund', { charge: 'ch_1', amount: 1200, reason: null }, { outcome: 'refuse', rule: 'tools.create_refund.rules[0]' }],
    ['create_refund', { charge: 'ch_1', amount: 1200, reason: 'damaged in transit' }, { outcome: 'allow', rule: 'tools.create_refund', charges: [expect.objectContaining({ counter: 'refunds_per_hour' }), expect.anything()] }],
    ['create_refund', { charge: 'ch_1', amount: 9000, reason: 'damaged' }, { outcome: 'refuse', rule: 'tools.create_refund.rules[1]', reason: 'Refunds over 50.00 are done by a person in the dashboard.' }],
    ['create_refund', { charge: 'ch_1', reason: 'whole charge' }, { outcome: 'allow', rule: 'tools.create_refund' }],
    ['create_charge', { amount: 1500, currency: 'usd' }, { outcome: 'allow', rule: 'tools.create_charge', charges: [expect.objectContaining({ counter: 'daily_spend', amount: 1500, max: 100000, scope: 'grant' }), expect.anything()] }],
    ['create_charge', { amount: 1500, currency: 'gbp' }, { outcome: 'refuse', rule: 'tools.create_charge.rules[0]', reason: 'Charges are in usd or eur only.' }],
    ['create_charge', { amount: 1500 }, { outcome: 'refuse', rule: 'tools.create_charge.rules[0]' }],
    ['create_charge', { amount: 20001, currency: 'eur' }, { outcome: 'refuse', rule: 'tools.create_charge.rules[1]', reason: 'Charges over 200.00 need a person.' }],
    ['create_charge', { amount: '20001', currency: 'eur' }, { outcome: 'refuse', rule: 'tools.create_charge.rules[1]' }],
    ['create_charge', { currency: 'eur' }, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.create_charge.limits[0]' }],
    ['create_payout', { amount: 100 }, { outcome: 'refuse', rule: 'tools.create_payout', reason: "Payouts need a person's approval; ask the account owner." }],
    ['delete_customer', { customer: 'cus_1' }, { outcome: 'refuse', rule: 'hide' }],
    ['update_customer', {}, { outcome: 'refuse', rule: 'default' }],
  ];
  it.each(CALLS.map((c) => [c[0], JSON.stringify(c[1]), c[1], c[2]] as const))('%s %s', async (tool, _shown, args, expected) => {
    expect(await decide(example, tool, args)).toMatchObject(expected);
  });

  it('decides the same after lint --fix', async () => {
    const copy = write(readFileSync(example, 'utf8'));
    await fixFiles([copy]);
    for (const [tool, args] of CALLS) expect(await decide(copy, tool, args)).toEqual(await decide(example, tool, args));
  });
});
