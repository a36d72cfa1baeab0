import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicySource } from '../../../../src/policy/source/source.js';
import { validatePolicy } from '../../../../src/policy/checks/validate.js';
import { POLICY_RULES } from '../../../../src/policy/checks/policy-rules.js';

const dir = 'test/fixtures/policies';

async function problemsOf(file: string) {
  const text = readFileSync(`${dir}/${file}`, 'utf8');
  return validatePolicy(await parsePolicySource(text, file));
}

/** The corpus: one broken policy per diagnostic, with where it must point and what it must suggest. */
const CORPUS: Array<[file: string, ruleId: string, line: number, column: number, suggestion?: string]> = [
  ['syntax-trailing-comma.json', 'syntax', 3, 20],
  ['syntax-comment.json', 'syntax', 2, 19],
  ['syntax-single-quotes.json', 'syntax', 3, 27],
  ['syntax.yaml', 'syntax', 4, 1],
  ['duplicate-key.json', 'duplicate-key', 5, 3],
  ['duplicate-key.yaml', 'duplicate-key', 5, 3],
  ['unknown-key.json', 'unknown-key', 5, 22, 'limits'],
  ['unknown-key-top.yaml', 'unknown-key', 3, 1, 'tools'],
  ['missing-key.json', 'missing-key', 4, 30],
  ['missing-version.json', 'missing-key', 1, 1],
  ['wrong-type.json', 'wrong-type', 4, 39],
  ['invalid-version.yaml', 'invalid-version', 1, 10],
  ['invalid-action.json', 'invalid-action', 4, 28, 'deny'],
  ['invalid-action-method.json', 'invalid-action', 4, 42],
  ['invalid-window.json', 'invalid-window', 5, 36],
  ['invalid-window-range.json', 'invalid-window', 4, 42],
  ['invalid-scope.json', 'invalid-scope', 4, 75, 'grant'],
  ['invalid-max.json', 'invalid-max', 4, 62],
  ['invalid-rate-limit.json', 'invalid-rate-limit', 4, 35],
  ['invalid-glob.json', 'invalid-glob', 4, 14],
  ['invalid-value.json', 'invalid-value', 4, 28],
  ['invalid-schema.json', 'invalid-schema', 5, 30],
  ['invalid-schema-regex.yaml', 'invalid-schema', 8, 20],
  ['invalid-condition.json', 'invalid-condition', 5, 101],
  ['policylayer.json', 'policylayer', 6, 20],
  ['default-missing.json', 'default-missing', 1, 1, 'deny'],
  ['default-allow.yaml', 'default-allow', 2, 10],
  ['shadowed-entry.json', 'shadowed-entry', 6, 5],
  ['unreachable-rule.json', 'unreachable-rule', 8, 9],
  ['counter-window-mismatch.json', 'counter-window-mismatch', 6, 65],
  ['catastrophic-regex.json', 'catastrophic-regex', 5, 83],
  ['open-path-args.json', 'open-path-args', 6, 7],
  ['ask-without-approval.json', 'ask-without-approval', 4, 29],
  ['unknown-schema-keyword.yaml', 'unknown-schema-keyword', 7, 7, 'properties'],
  ['invalid-test-case.json', 'invalid-test-case', 7, 29],
  ['unknown-test-name.yaml', 'unknown-test-name', 6, 19, 'python_venv'],
  ['unknown-test-rule.json', 'unknown-test-rule', 5, 106, 'tools.read_file.rules[0]'],
  ['untestable-decision.yaml', 'untestable-decision', 7, 13, 'ask'],
];

describe('the broken-policy corpus', () => {
  it.each(CORPUS)('%s: %s at %i:%i', async (file, ruleId, line, column, suggestion) => {
    const problems = await problemsOf(file);
    // Exactly one diagnostic: each fixture is broken in one way only.
    expect(problems.map((p) => `${p.ruleId}@${p.line}:${p.column}`)).toEqual([`${ruleId}@${line}:${column}`]);
    const [problem] = problems;
    expect(problem!.suggestion).toBe(suggestion);
    expect(problem!.severity).toBe(POLICY_RULES.find((r) => r.id === ruleId)!.severity);
    expect(problem!.file).toBe(file);
    expect(problem!.endLine * 10_000 + problem!.endColumn).toBeGreaterThan(problem!.line * 10_000 + problem!.column);
  });

  it('covers every policy rule', () => {
    expect(new Set(CORPUS.map((c) => c[1]))).toEqual(new Set(POLICY_RULES.map((r) => r.id)));
  });

  it('accepts a policy using every key of the format without a word', async () => {
    expect(await problemsOf('clean.yaml')).toEqual([]);
  });
});

describe('messages (SPEC §5 wording)', () => {
  it('names the offending value and what was expected', async () => {
    const [window] = await problemsOf('invalid-window.json');
    expect(window!.message).toBe('tools.a.limits[0].window: "fortnight" is not a window; use second, minute, hour, day, a number of seconds or a duration like "15m"');
    const [type] = await problemsOf('invalid-schema.json');
    expect(type!.message).toMatch(/^tools\.c\.args\.type: "nonsense" is not a JSON Schema type/);
    const [key] = await problemsOf('unknown-key.json');
    expect(key!.message).toBe('tools.python_venv.limit: unknown key "limit"; did you mean "limits"?');
    expect(key!.path).toBe('tools.python_venv.limit');
  });

  it('reports every problem of a policy, sorted by position, one per place', async () => {
    const text = JSON.stringify(
      { version: '1', default: 'deny', tools: { a: { limits: [{ window: 'fortnight', max: -1, scope: 'x' }], limit: 1 }, b: 7 }, toolz: {} },
      null,
      2,
    );
    const problems = await validatePolicy(await parsePolicySource(text, 'p.json'));
    expect(problems.map((p) => p.ruleId)).toEqual(['invalid-window', 'invalid-max', 'invalid-scope', 'unknown-key', 'wrong-type', 'unknown-key']);
    const lines = problems.map((p) => p.line);
    expect(lines).toEqual([...lines].sort((x, y) => x - y));
  });

  it('says nothing more about a schema the meta-schema already refused', async () => {
    const text = JSON.stringify({ version: '1', default: 'deny', tools: { a: { args: { properties: { n: { minimum: 'x', pattern: '(' } } } } } });
    const problems = await validatePolicy(await parsePolicySource(text, 'p.json'));
    expect(problems.map((p) => [p.ruleId, p.path])).toEqual([
      ['invalid-schema', 'tools.a.args.properties.n.minimum'],
      ['invalid-schema', 'tools.a.args.properties.n.pattern'],
    ]);
  });

  it('checks x-path-within arguments and unresolvable $refs', async () => {
    const text = JSON.stringify({ version: '1', default: 'deny', tools: { a: { args: { 'x-path-within': '/tmp' } }, b: { rules: [{ when: { $ref: '#/$defs/missing' } }] } } });
    const problems = await validatePolicy(await parsePolicySource(text, 'p.json'));
    expect(problems.map((p) => [p.ruleId, p.path])).toEqual([
      ['invalid-schema', 'tools.a.args.x-path-within'],
      ['invalid-schema', 'tools.b.rules[0].when'],
    ]);
  });

  it('treats $comment in the name maps as a note, not an entry', async () => {
    const text = JSON.stringify({ version: '1', default: 'deny', tools: { $comment: 'notes', a: 'allow' }, methods: { $comment: 'x' } });
    expect(await validatePolicy(await parsePolicySource(text, 'p.json'))).toEqual([]);
  });

  it('warns about counters, shadowing and unreachable rules only when they really cannot work', async () => {
    const text = JSON.stringify({
      version: '1',
      default: 'deny',
      tools: {
        'delete_*': 'deny',
        '*': 'allow',
        a: { limits: [{ window: 'minute', max: 5 }, { window: 'day', max: 50 }], rules: [{ when: { required: ['x'] } }, { when: true }] },
        b: { limits: [{ counter: 'shared', window: 60, max: 1 }] },
        c: { limits: [{ counter: 'shared', window: '1m', max: 1 }] },
      },
    });
    expect(await validatePolicy(await parsePolicySource(text, 'p.json'))).toEqual([]);
  });
});

describe('validation of large policies', () => {
  it('is not quadratic in the number of globs (20,000 patterns none of which can be told apart by prefix)', async () => {
    const { validatePolicy } = await import('../../../../src/policy/checks/validate.js');
    const { parseJsonSource } = await import('../../../../src/policy/source/source.js');
    const time = async (n: number) => {
      const tools: Record<string, string> = {};
      for (let i = 0; i < n; i++) tools[`*${i}*`] = 'allow';
      const source = parseJsonSource(JSON.stringify({ version: '1', default: 'deny', tools }), '/p.json');
      const start = performance.now();
      const problems = await validatePolicy(source);
      return { ms: performance.now() - start, shadowed: problems.filter((p) => p.ruleId === 'shadowed-entry').length };
    };
    const small = await time(2000);
    const large = await time(20_000);
    // `*10*` lies under `*0*` and `*1*`: the check still finds what it can.
    expect(small.shadowed).toBeGreaterThan(0);
    // Ten times the patterns: quadratic would be 100 times the time.
    expect(large.ms / Math.max(small.ms, 1)).toBeLessThan(35);
  }, 60_000);
});
