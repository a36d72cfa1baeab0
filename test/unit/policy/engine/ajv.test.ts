import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { createAjv } from '../../../../src/policy/engine/ajv.js';
import { describeArgumentErrors } from '../../../../src/policy/engine/schema-errors.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

let home: string;
beforeAll(() => {
  home = realpathSync(mkdtempSync(path.join(tmpdir(), 'ajv-home-')));
  mkdirSync(path.join(home, 'projects'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function check(schema: object, data: unknown, allErrors = false): { ok: boolean; text: string } {
  const validate = createAjv({ allErrors, pathEnv: hostFileSystem({ home, cwd: home }) }).compile(schema);
  const ok = validate(data);
  return { ok, text: ok ? '' : describeArgumentErrors((validate.errors ?? []) as ErrorObject[]) };
}

const venvSchema = {
  type: 'object',
  properties: { venvPath: { type: 'string', 'x-path-within': ['~/projects', '/tmp'] } },
};

describe('createAjv', () => {
  it('speaks draft 2020-12 (prefixItems, $defs, dependentRequired, unevaluatedProperties)', () => {
    expect(check({ prefixItems: [{ type: 'string' }], items: false }, ['a']).ok).toBe(true);
    expect(check({ prefixItems: [{ type: 'string' }], items: false }, ['a', 1]).ok).toBe(false);
    expect(check({ $defs: { n: { type: 'integer' } }, $ref: '#/$defs/n' }, 3).ok).toBe(true);
    expect(check({ unevaluatedProperties: false, properties: { a: {} } }, { b: 1 }).ok).toBe(false);
  });

  it('applies x-path-within, with ~ expanded, and refuses non-strings', () => {
    expect(check(venvSchema, { venvPath: '~/projects/app/.venv' }).ok).toBe(true);
    expect(check(venvSchema, { venvPath: '/tmp/v' }).ok).toBe(true);
    expect(check({ 'x-path-within': ['~/projects'] }, '~/projects/../.ssh').ok).toBe(false);
    expect(check(venvSchema, { venvPath: '/etc/passwd' }).ok).toBe(false);
    expect(check({ 'x-path-within': ['/tmp'] }, 42).ok).toBe(false);
    expect(check({ 'x-path-within': ['/tmp'] }, null).ok).toBe(false);
  });

  it('rejects an x-path-within that is not a list of directories when compiling', () => {
    expect(() => createAjv({ pathEnv: hostFileSystem() }).compile({ 'x-path-within': '/tmp' })).toThrow();
    expect(() => createAjv({ pathEnv: hostFileSystem() }).compile({ 'x-path-within': [1] })).toThrow(/list of directories/);
    expect(() => createAjv({ pathEnv: hostFileSystem() }).compile({ 'x-path-within': [''] })).toThrow(/list of directories/);
  });

  it('refuses to compile what it cannot generate code for, and tolerates unknown annotations and formats', () => {
    expect(() => createAjv({ pathEnv: hostFileSystem() }).compile({ type: 'nonsense' })).toThrow(/type/);
    expect(() => createAjv({ pathEnv: hostFileSystem() }).compile({ type: 'string', title: 'x', 'x-vendor': 1, format: 'no-such-format' })).not.toThrow();
  });

  it('accepts a $schema naming draft 2020-12 without loading the meta-schemas', () => {
    expect(check({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'string' }, 'x').ok).toBe(true);
  });

  it('treats format as an annotation, as 2020-12 does by default', () => {
    expect(check({ type: 'string', format: 'email' }, 'not an email').ok).toBe(true);
  });
});

describe('describeArgumentErrors', () => {
  it.each([
    ['x-path-within', venvSchema, { venvPath: '/etc' }, 'arguments.venvPath must be inside ~/projects or /tmp'],
    ['type', { properties: { count: { type: 'integer' } } }, { count: 1.5 }, 'arguments.count must be integer'],
    ['union type', { type: ['string', 'null'] }, 3, 'arguments must be string or null'],
    ['required', { required: ['path'] }, {}, 'arguments must have required property "path"'],
    ['enum', { properties: { mode: { enum: ['a', 'b'] } } }, { mode: 'c' }, 'arguments.mode must be one of "a", "b"'],
    ['const', { properties: { action: { const: 'create' } } }, { action: 'delete' }, 'arguments.action must be "create"'],
    ['additionalProperties', { properties: { a: {} }, additionalProperties: false }, { x: 1 }, 'arguments has unknown property "x"'],
    ['unevaluatedProperties', { unevaluatedProperties: false }, { x: 1 }, 'arguments has unknown property "x"'],
    ['false schema', { properties: { clear: false } }, { clear: true }, 'arguments.clear is not allowed'],
    ['not', { properties: { a: { not: { const: 1 } } } }, { a: 1 }, 'arguments.a has a value the policy rules out'],
    ['nested array index', { properties: { items: { items: { properties: { n: { type: 'number' } } } } } }, { items: [{ n: 1 }, { n: 'x' }] }, 'arguments.items[1].n must be number'],
    ['odd property names are quoted', { properties: { 'a b': { type: 'number' } } }, { 'a b': 'x' }, 'arguments["a b"] must be number'],
    ['pointer escapes', { properties: { 'a/b': { type: 'number' } } }, { 'a/b': 'x' }, 'arguments["a/b"] must be number'],
    ['minimum keeps Ajv wording', { type: 'number', minimum: 5 }, 1, 'arguments must be >= 5'],
    ['anyOf', { properties: { x: { anyOf: [{ type: 'string' }, { type: 'number' }] } } }, { x: true }, 'arguments.x must be string, or must be number'],
    ['oneOf matching both', { oneOf: [{ type: 'number' }, { type: 'integer' }] }, 1, 'arguments matches more than one of the allowed forms; it must match exactly one'],
    ['propertyNames', { propertyNames: { pattern: '^[a-z]+$' } }, { AB: 1 }, 'arguments has a property name "AB" that must match pattern "^[a-z]+$"'],
  ])('%s', (_name, schema, data, expected) => {
    for (const allErrors of [false, true]) {
      const { ok, text } = check(schema, data, allErrors);
      expect(ok).toBe(false);
      expect(text).toBe(expected);
    }
  });

  it('says several problems in one sentence, and counts the rest', () => {
    const schema = { required: ['a', 'b', 'c', 'd', 'e'] };
    expect(check(schema, {}, true).text).toBe(
      'arguments must have required property "a"; arguments must have required property "b"; arguments must have required property "c"; and 2 more problems',
    );
  });

  it('cuts long agent-supplied names short', () => {
    const text = check({ additionalProperties: false }, { ['k'.repeat(500)]: 1 }).text;
    expect(text.length).toBeLessThan(120);
    expect(text).toContain('…');
  });

  it('has something to say with no errors at all', () => {
    expect(describeArgumentErrors([])).toMatch(/arguments/);
  });
});

describe('uniqueItems', () => {
  // Ajv's own keyword, as the reference: it compares items pairwise when they have no scalar type.
  const reference = new Ajv2020({ strict: false, allowUnionTypes: true });
  const json = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(0, -0, 1, 1.5, 'a', 'b', '', true, false, null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', '__proto__'), tie('value'), { maxKeys: 3 }),
    ),
  })).value;

  it('answers as Ajv does and names the same two items, in one pass (property)', () => {
    const ours = createAjv({ pathEnv: hostFileSystem({ home, cwd: home }) }).compile({ type: 'array', uniqueItems: true });
    const theirs = reference.compile({ type: 'array', uniqueItems: true });
    fc.assert(
      // Through JSON, as arguments arrive (plain objects; an own `__proto__` member stays one).
      fc.property(fc.array(json, { maxLength: 8 }).map((items) => JSON.parse(JSON.stringify(items)) as unknown[]), (items) => {
        expect(ours(items)).toBe(theirs(items));
        if (!theirs(items)) expect(ours.errors?.[0]?.params).toEqual(theirs.errors?.[0]?.params);
      }),
      { numRuns: 3000 },
    );
  });

  it('takes objects equal whatever the order of their members, and says which two items are the same', () => {
    expect(check({ type: 'array', uniqueItems: true }, [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }])).toEqual({ ok: false, text: expect.stringContaining('items ## 0 and 1 are identical') });
    expect(check({ type: 'array', uniqueItems: true }, [{ a: 1 }, { a: 2 }]).ok).toBe(true);
    expect(check({ type: 'array', uniqueItems: false }, [1, 1]).ok).toBe(true);
  });

  it('checks 100,000 objects, which Ajv compares pair by pair', () => {
    const items = Array.from({ length: 100_000 }, (_, i) => ({ id: i, tags: ['x', i] }));
    expect(check({ type: 'array', uniqueItems: true }, items).ok).toBe(true);
    expect(check({ type: 'array', uniqueItems: true }, [...items, { tags: ['x', 7], id: 7 }])).toEqual({ ok: false, text: expect.stringContaining('items ## 7 and 100000 are identical') });
  });
});
