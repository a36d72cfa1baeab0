import { describe, expect, it } from 'vitest';
import { compileGlob } from '../../../../src/policy/engine/glob.js';
import { compilePolicy } from '../../../../src/policy/engine/compile.js';
import { decideToolCall } from '../../../../src/policy/engine/decide.js';
import type { PolicyDocument } from '../../../../src/policy/engine/types.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

/** The fastest of a few runs, in ms: noise on a shared machine only ever adds time. */
function fastest(fn: () => void, runs = 5): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

/**
 * Linear time as a ratio, never a wall-clock limit: ten times the input may cost at most ~30 times
 * the time (linear is 10; the quadratic and exponential matchers this replaced were 100 and more).
 */
function expectLinear(run: (size: number) => void, small: number): void {
  run(small); // warm up
  const a = Math.max(fastest(() => run(small)), 0.05);
  const b = fastest(() => run(small * 10));
  expect(b / a).toBeLessThan(30);
}

describe('matching costs time linear in the input', () => {
  it.each([
    ['*_*_*_*_*_x', 'name', (n: number) => '_'.repeat(n)],
    ['*a*a*a*a*a*a*a*a*b', 'name', (n: number) => 'a'.repeat(n)],
    ['{*a,*b,*c}*{x,y}?*z', 'name', (n: number) => 'ab'.repeat(n / 2)],
    ['file:///**/*/**/*.pem', 'uri', (n: number) => `file:///${'a/'.repeat(n / 2)}`],
  ] as const)('the glob %s', (pattern, kind, input) => {
    const matcher = compileGlob(pattern, kind);
    expectLinear((n) => {
      matcher.test(input(n));
    }, 10_000);
  });

  it('a backtracking-prone "pattern" in an args schema runs on RE2', async () => {
    const doc = { version: '1', default: 'deny', tools: { t: { args: { type: 'object', properties: { csv: { type: 'string', pattern: '^(.*?,){11}P' } } } } } } as PolicyDocument;
    const policy = await compilePolicy(doc, '/p.json', { pathEnv: hostFileSystem() });
    expect(decideToolCall(policy, 't', { csv: `${'a,'.repeat(11)}P` })).toMatchObject({ outcome: 'allow' });
    expectLinear((n) => {
      decideToolCall(policy, 't', { csv: 'x,'.repeat(n / 2) });
    }, 10_000);
  });
});
