import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fixFiles } from '../../../src/lint/fix.js';
import { compilePolicy } from '../../../src/policy/engine/compile.js';
import { decideMessage } from '../../../src/policy/engine/decide.js';
import type { Decision } from '../../../src/policy/engine/decision.js';
import { hostFileSystem } from '../../../src/policy/host-file-system.js';
import { loadPolicy } from '../../../src/policy/load.js';

/**
 * For random PolicyLayer-style policies and random calls: the policy as written, its
 * `lint --fix` rewrite, and a naive model of PolicyLayer's documented semantics (written here
 * from docs/policylayer.md, not from the translation) all give the same decision.
 */

const dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'mcp-guard-policylayer-prop-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

interface Cond {
  path: string;
  op: string;
  value: unknown;
}
interface Item {
  conditions: Cond[];
  on_deny?: string;
}
interface Entry {
  require?: Item[];
  deny_if?: Item[];
}

const scalar = fc.oneof(fc.constantFrom('usd', 'eur', 'a.b', 'feat/x', '', '5'), fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, 10000), fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.constantFrom('d', 'e'), scalar, { maxKeys: 2 }));
const argPath = fc.constantFrom('args.a', 'args.b', 'args.c.d');
const cond: fc.Arbitrary<Cond> = fc.oneof(
  fc.record({ path: argPath, op: fc.constantFrom('eq', 'neq', 'contains'), value: scalar }),
  fc.record({ path: argPath, op: fc.constantFrom('in', 'not_in'), value: fc.uniqueArray(scalar, { maxLength: 3, selector: (v) => JSON.stringify(v) }) }),
  fc.record({ path: argPath, op: fc.constantFrom('lt', 'lte', 'gt', 'gte'), value: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ path: argPath, op: fc.constant('regex'), value: fc.constantFrom('^u', 'd$', 'a\\.b', '[0-9]') }),
  fc.record({ path: argPath, op: fc.constant('exists'), value: fc.boolean() }),
);
const item: fc.Arbitrary<Item> = fc.record({ conditions: fc.array(cond, { maxLength: 3 }), on_deny: fc.constantFrom('no', 'stop') }, { requiredKeys: ['conditions'] });
const entry: fc.Arbitrary<Entry> = fc.record({ require: fc.array(item, { maxLength: 2 }), deny_if: fc.array(item, { maxLength: 2 }) }, { requiredKeys: [] });
const call = fc.record({ a: value, b: value, c: fc.oneof(value, fc.record({ d: value }, { requiredKeys: [] })) }, { requiredKeys: [] });

// ---- the model: PolicyLayer's conditions as docs/policylayer.md describes them ----

type Outcome = 'holds' | 'fails' | 'undecidable';

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function same(a: unknown, b: unknown): boolean {
  if (typeOf(a) !== typeOf(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => same(x, (b as unknown[])[i]));
  if (a && typeof a === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

function resolve(args: Record<string, unknown>, p: string): { present: boolean; value?: unknown } {
  let node: unknown = args;
  for (const key of p.slice('args.'.length).split('.')) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, key)) return { present: false };
    node = (node as Record<string, unknown>)[key];
  }
  return { present: true, value: node };
}

function evaluate(c: Cond, args: Record<string, unknown>): Outcome {
  const { present, value: v } = resolve(args, c.path);
  const yes = (b: boolean): Outcome => (b ? 'holds' : 'fails');
  if (c.op === 'exists') return yes((present && v !== null) === c.value);
  if (!present) return 'fails';
  switch (c.op) {
    case 'eq':
    case 'neq':
      if (typeOf(v) !== typeOf(c.value)) return 'undecidable';
      return yes(same(v, c.value) === (c.op === 'eq'));
    case 'in':
    case 'not_in': {
      const list = c.value as unknown[];
      if (list.length === 0) return yes(c.op === 'not_in');
      if (!list.some((x) => typeOf(x) === typeOf(v))) return 'undecidable';
      return yes(list.some((x) => same(x, v)) === (c.op === 'in'));
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (typeof v !== 'number') return 'undecidable';
      const b = c.value as number;
      return yes(c.op === 'lt' ? v < b : c.op === 'lte' ? v <= b : c.op === 'gt' ? v > b : v >= b);
    }
    case 'regex':
      return typeof v === 'string' ? yes(new RegExp(c.value as string, 'u').test(v)) : 'undecidable';
    case 'contains':
      if (typeof v === 'string' && typeof c.value === 'string') return yes(v.includes(c.value));
      if (Array.isArray(v)) return yes(v.some((x) => same(x, c.value)));
      return 'undecidable';
    default:
      throw new Error(`model: no op ${c.op}`);
  }
}

/** The decision: refused by the first entry that refuses (require entries, then deny_if, in file order), else allowed. */
function model(e: Entry, args: Record<string, unknown>): { outcome: string; rule: string; reason?: string } {
  const denyAll = (e.deny_if ?? []).find((i) => i.conditions.length === 0);
  if (denyAll) return { outcome: 'refuse', rule: 'tools.t', reason: denyAll.on_deny ?? 'refused by policy' };
  let index = 0;
  for (const i of e.require ?? []) {
    if (i.conditions.length === 0) continue;
    if (!i.conditions.every((c) => evaluate(c, args) === 'holds')) return { outcome: 'refuse', rule: `tools.t.rules[${index}]`, ...(i.on_deny ? { reason: i.on_deny } : {}) };
    index++;
  }
  for (const i of e.deny_if ?? []) {
    if (i.conditions.every((c) => evaluate(c, args) !== 'fails')) return { outcome: 'refuse', rule: `tools.t.rules[${index}]`, ...(i.on_deny ? { reason: i.on_deny } : {}) };
    index++;
  }
  return { outcome: 'allow', rule: 'tools.t' };
}

// ---- the real thing ----

async function decider(file: string) {
  const loaded = await loadPolicy(file);
  const policy = await compilePolicy(loaded.document, loaded.file, { pathEnv: hostFileSystem() });
  return (args: Record<string, unknown>): Decision => decideMessage(policy, 'client→server', 'tools/call', { name: 't', arguments: args });
}

function essence(d: Decision) {
  return d.outcome === 'refuse' ? { outcome: d.outcome, decision: d.decision, rule: d.rule, reason: d.reason } : { outcome: d.outcome, rule: d.rule };
}

describe('PolicyLayer policies and their lint --fix rewrite', () => {
  it('decide the same, and as PolicyLayer documents, for random policies and calls', async () => {
    await fc.assert(
      fc.asyncProperty(entry, fc.array(call, { minLength: 1, maxLength: 8 }), fc.constantFrom('json', 'yaml'), async (e, calls, format) => {
        const policy = { version: '1', default: 'deny', tools: { t: e } };
        const file = path.join(dir, `p${n++}.${format}`);
        writeFileSync(file, format === 'json' ? JSON.stringify(policy) : (await import('yaml')).stringify(policy));
        const original = await decider(file);
        await fixFiles([file]);
        const rewritten = await decider(file);
        for (const args of calls) {
          const before = essence(original(args));
          expect(essence(rewritten(args))).toEqual(before);
          const expected = model(e, args);
          expect(before, JSON.stringify({ policy: e, args })).toMatchObject(expected);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) > 150 ? 1000 : 150 },
    );
  }, 120_000);
});
