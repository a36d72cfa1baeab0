/**
 * describeArgumentErrors on the errors Ajv really gives (allErrors, as `run` compiles schemas):
 * the same sentence as the straightforward version it replaced, which scanned every error for
 * each combinator and `if`, and in time linear in the number of errors.
 */
import fc from 'fast-check';
import type { ErrorObject } from 'ajv';
import { describe, expect, it } from 'vitest';
import { createAjv } from '../../../../src/policy/engine/ajv.js';
import { describeArgumentErrors, joinOr } from '../../../../src/policy/engine/schema-errors.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

/** The version before: each anyOf/oneOf and each `if` looked through every error. */
function scanningEveryError(errors: readonly ErrorObject[], describeOne: (e: ErrorObject) => string): string {
  const explained = new Set<ErrorObject>();
  const phrases: string[] = [];
  const subject = (e: ErrorObject) => describeOne({ ...e, keyword: 'false schema' }).replace(/ is not allowed$/, '');
  for (const error of errors) {
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    const prefix = `${error.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of errors) {
      if (e === error || !e.schemaPath.startsWith(prefix)) continue;
      const index = e.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(index, [...(branches.get(index) ?? []), e]);
    }
    for (const branch of branches.values()) for (const e of branch) explained.add(e);
    explained.add(error);
    if (error.keyword === 'oneOf' && error.params?.passingSchemas) phrases.push(`${subject(error)} matches more than one of the allowed forms; it must match exactly one`);
    else if (branches.size === 0) phrases.push(`${subject(error)} must match one of the allowed forms`);
    else {
      const alternatives = [...new Set([...branches.values()].map((branch) => describeOne(branch[0]!)))];
      const head = alternatives[0]!.slice(0, alternatives[0]!.indexOf(' ') + 1);
      phrases.push(alternatives.map((phrase, i) => (i > 0 && phrase.startsWith(head) ? phrase.slice(head.length) : phrase)).join(', or '));
    }
  }
  for (const error of errors) {
    if (explained.has(error)) continue;
    if ((error.keyword === 'if' || error.keyword === 'propertyNames') && errors.some((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath.replace(/\/if$/, '')}/`))) continue;
    phrases.push(describeOne(error));
  }
  const unique = [...new Set(phrases)];
  if (unique.length === 0) return 'arguments do not match the schema the policy requires';
  const more = unique.length - 3;
  return unique.slice(0, 3).join('; ') + (more > 0 ? `; and ${more} more problem${more === 1 ? '' : 's'}` : '');
}

/** One error described alone, by the function under test (it has no combinator or `if` to fold). */
const describeOne = (e: ErrorObject) => describeArgumentErrors([{ ...e, keyword: e.keyword === 'if' || e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'propertyNames' ? 'x-other' : e.keyword }]);

const item = {
  anyOf: [{ type: 'string', maxLength: 3 }, { type: 'integer' }, { type: 'object', oneOf: [{ required: ['a'] }, { required: ['b'] }] }],
};
const schema = {
  type: 'object',
  properties: {
    list: { type: 'array', items: item },
    pairs: { type: 'array', items: { if: { type: 'object' }, then: { required: ['x'], propertyNames: { maxLength: 2 } }, else: { type: 'string' } } },
    one: { oneOf: [{ type: 'string' }, { type: 'string', minLength: 2 }, { type: 'number' }] },
  },
};

describe('describeArgumentErrors', () => {
  const validate = createAjv({ allErrors: true, pathEnv: hostFileSystem() }).compile(schema);
  const value = fc.oneof(fc.constantFrom('ab', 'abcdef', 'x', 1, 1.5, null, true, [], {}), fc.dictionary(fc.constantFrom('a', 'b', 'x', 'long'), fc.constantFrom(1, 'v')));

  it('says what the version that scanned every error said (property)', () => {
    fc.assert(
      fc.property(fc.record({ list: fc.array(value, { maxLength: 6 }), pairs: fc.array(value, { maxLength: 6 }), one: value }, { requiredKeys: [] }), (args) => {
        if (validate(args)) return;
        const errors = validate.errors as ErrorObject[];
        expect(describeArgumentErrors(errors)).toBe(scanningEveryError(errors, describeOne));
      }),
      { numRuns: 2000 },
    );
  });

  it('describes 20,000 failing items, which took minutes when every combinator scanned every error', () => {
    const args = { list: Array.from({ length: 20_000 }, () => 1.5), pairs: Array.from({ length: 20_000 }, () => ({ y: 1 })) };
    expect(validate(args)).toBe(false);
    const text = describeArgumentErrors(validate.errors as ErrorObject[]);
    expect(text).toContain('; arguments.list[0] must be string, or must be integer, or must be object; ');
    // Each item's nested oneOf (both branches pass for a number) is its own problem.
    expect(text).toMatch(/; and 39998 more problems$/);
  });

  it('joins alternatives', () => expect(joinOr(['a', 'b', 'c'])).toBe('a, b or c'));
});
