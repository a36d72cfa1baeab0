import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';

const schema = JSON.parse(readFileSync('schema/policy.schema.json', 'utf8')) as Record<string, unknown>;

/** Both JSON blocks of SPEC §3 (the product contract), copied verbatim into test/fixtures/spec/. */
function specBlocks(): unknown[] {
  return ['section-3-full', 'section-3-seed'].map((name) => JSON.parse(readFileSync(`test/fixtures/spec/${name}.policy.json`, 'utf8')) as unknown);
}

describe('schema/policy.schema.json', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateFormats: false, allowUnionTypes: true });
  const validate = ajv.compile(schema);

  it('is a strict draft 2020-12 schema with the published $id', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('https://unpkg.com/mcp-guard/schema/policy.schema.json');
  });

  it('accepts both policies of SPEC §3 unchanged', () => {
    const blocks = specBlocks();
    expect(blocks).toHaveLength(2);
    for (const block of blocks) expect(validate(block), JSON.stringify(validate.errors)).toBe(true);
  });

  it('ships the seed policy verbatim as examples/python-venv.policy.json', () => {
    expect(JSON.parse(readFileSync('examples/python-venv.policy.json', 'utf8'))).toEqual(specBlocks()[1]);
  });

  it('describes every property, so editors show help', () => {
    const missing: string[] = [];
    const visit = (node: unknown, where: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      for (const [key, prop] of Object.entries((n.properties as Record<string, Record<string, unknown>>) ?? {})) {
        const described = typeof prop.description === 'string' || (typeof prop.$ref === 'string' && typeof (resolve(prop.$ref) as Record<string, unknown>).description === 'string');
        if (!described) missing.push(`${where}.${key}`);
      }
      for (const [key, child] of Object.entries(n)) if (key !== 'properties') visit(child, `${where}/${key}`);
      for (const [key, child] of Object.entries((n.properties as object) ?? {})) visit(child, `${where}.${key}`);
    };
    const resolve = (ref: string) => ref.startsWith('#/$defs/') ? (schema.$defs as Record<string, unknown>)[ref.slice(8)]! : {};
    visit(schema, '#');
    expect(missing).toEqual([]);
  });

  it('allows $comment in every object and nothing unknown elsewhere', () => {
    const policy = { $comment: 'c', version: '1', all_tools: { $comment: 'c', limits: [{ $comment: 'c', window: 1, max: 1 }] }, tools: { $comment: 'c', a: { $comment: 'c', rules: [{ $comment: 'c', when: {} }] } }, audit: { $comment: 'c' }, approval: { $comment: 'c' }, methods: { $comment: 'c' } };
    expect(validate(policy)).toBe(true);
    for (const bad of [{ version: '1', x: 1 }, { version: '1', audit: { x: 1 } }, { version: '1', tools: { a: { limits: [{ window: 1, max: 1, x: 1 }] } } }]) expect(validate(bad)).toBe(false);
  });

  it('is what the committed pre-compiled validators were generated from', () => {
    expect(() => execFileSync(process.execPath, ['scripts/build-policy-validator.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
