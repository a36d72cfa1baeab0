import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compilePolicy } from '../../../../src/policy/engine/compile.js';
import { decideMessage, decideToolCall, isToolVisible } from '../../../../src/policy/engine/decide.js';
import type { PolicyDocument } from '../../../../src/policy/engine/types.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

const seed: PolicyDocument = {
  version: '1',
  default: 'deny',
  tools: { python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] } },
};

const rich: PolicyDocument = {
  version: '1',
  default: 'allow',
  hide: ['transfer_repository', 'admin_*'],
  all_tools: { limits: [{ window: 'minute', max: 60 }] },
  tools: {
    python_venv: {
      args: { type: 'object', properties: { venvPath: { type: 'string', 'x-path-within': ['/tmp/projects'] } } },
      rules: [
        {
          when: { anyOf: [{ properties: { action: { const: 'delete' } }, required: ['action'] }, { properties: { clear: { const: true } }, required: ['clear'] }] },
          action: 'ask',
          reason: 'deleting needs a yes',
        },
        { when: { properties: { action: { const: 'nuke' } }, required: ['action'] }, action: 'deny', reason: 'never' },
      ],
    },
    create_charge: { limits: [{ window: 'day', max: 100000, increment_from: 'amount' }] },
    'read_*': 'allow',
    read_secret: 'deny',
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
    internal: 'hide',
  },
  resources: { 'file:///home/me/secrets/**': 'deny' },
  methods: { 'sampling/createMessage': 'deny', 'logging/setLevel': 'deny' },
};

const compiled = new Map<PolicyDocument, Awaited<ReturnType<typeof compilePolicy>>>();
beforeAll(async () => {
  for (const doc of [seed, rich]) compiled.set(doc, await compilePolicy(doc, '/policy.json', { pathEnv: hostFileSystem() }));
});
const p = (doc: PolicyDocument) => compiled.get(doc)!;

describe('decideToolCall', () => {
  const cases: Array<[string, PolicyDocument, string, unknown, Record<string, unknown>]> = [
    ['seed policy allows python_venv with its grant limit', seed, 'python_venv', {}, { outcome: 'allow', rule: 'tools.python_venv' }],
    ['seed policy refuses any other tool by default', seed, 'shell_exec', {}, { outcome: 'refuse', decision: 'denied', rule: 'default' }],
    ['deny with a reason', rich, 'shell_exec', {}, { outcome: 'refuse', decision: 'denied', rule: 'tools.shell_exec', reason: 'no shell from agents' }],
    ['exact entry beats an earlier glob', rich, 'read_secret', {}, { outcome: 'refuse', rule: 'tools.read_secret' }],
    ['glob entry', rich, 'read_file', {}, { outcome: 'allow', rule: 'tools.read_*' }],
    ['hide list', rich, 'transfer_repository', {}, { outcome: 'refuse', decision: 'denied', rule: 'hide' }],
    ['hide glob', rich, 'admin_drop', {}, { outcome: 'refuse', rule: 'hide' }],
    ['hide action', rich, 'internal', {}, { outcome: 'refuse', rule: 'tools.internal' }],
    ['default allow', rich, 'unlisted', {}, { outcome: 'allow', rule: 'default' }],
    ['args schema: path escaping the root', rich, 'python_venv', { venvPath: '/tmp/projects/../../etc' }, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.python_venv.args' }],
    ['args schema: path inside the root', rich, 'python_venv', { venvPath: '/tmp/projects/a', action: 'create' }, { outcome: 'allow', rule: 'tools.python_venv' }],
    ['first matching rule: ask', rich, 'python_venv', { action: 'delete' }, { outcome: 'ask', rule: 'tools.python_venv.rules[0]', reason: 'deleting needs a yes' }],
    ['first matching rule: anyOf second branch', rich, 'python_venv', { clear: true }, { outcome: 'ask', rule: 'tools.python_venv.rules[0]' }],
    ['second rule: deny', rich, 'python_venv', { action: 'nuke' }, { outcome: 'refuse', rule: 'tools.python_venv.rules[1]', reason: 'never' }],
    ['increment_from missing', rich, 'create_charge', {}, { outcome: 'refuse', decision: 'invalid_arguments', rule: 'tools.create_charge.limits[0]' }],
    ['increment_from negative', rich, 'create_charge', { amount: -5 }, { outcome: 'refuse', decision: 'invalid_arguments' }],
    ['increment_from present', rich, 'create_charge', { amount: 250 }, { outcome: 'allow', rule: 'tools.create_charge' }],
    ['case variant of a denied tool', rich, 'Shell_Exec', {}, { outcome: 'refuse', decision: 'denied', rule: 'tools.shell_exec' }],
    ['fullwidth variant of a denied tool', rich, 'ｓｈｅｌｌ_exec', {}, { outcome: 'refuse', decision: 'denied' }],
    ['case variant of a hidden tool', rich, 'Transfer_Repository', {}, { outcome: 'refuse', rule: 'hide' }],
    ['non-string name', rich, 42, {}, { outcome: 'refuse', decision: 'invalid_arguments' }],
  ];
  for (const [title, doc, name, args, expected] of cases) {
    it(title, () => {
      expect(decideToolCall(p(doc), name, args)).toMatchObject(expected);
    });
  }

  it('charges every limit: the tool\'s own, its rule\'s, and all_tools', () => {
    const d = decideToolCall(p(rich), 'create_charge', { amount: 250 });
    expect(d.outcome).toBe('allow');
    if (d.outcome !== 'allow') return;
    expect(d.charges).toEqual([
      expect.objectContaining({ counter: 'create_charge', amount: 250, max: 100000, windowMs: 86_400_000, rule: 'tools.create_charge.limits[0]' }),
      expect.objectContaining({ counter: 'all_tools', amount: 1, max: 60, windowMs: 60_000, rule: 'all_tools.limits[0]' }),
    ]);
  });

  it('shares a named counter under the grant scope', () => {
    const d = decideToolCall(p(seed), 'python_venv', {});
    expect(d).toMatchObject({ charges: [{ counter: 'python_venv_rate', scope: 'grant', max: 10, windowMs: 60_000 }] });
  });

  it('explains invalid arguments in words an agent can act on', () => {
    const d = decideToolCall(p(rich), 'python_venv', { venvPath: 42 });
    expect(d).toMatchObject({ outcome: 'refuse', decision: 'invalid_arguments' });
    if (d.outcome === 'refuse') expect(d.reason).toMatch(/venvPath/);
  });
});

describe('decideMessage', () => {
  it('always relays the lifecycle, even when methods denies it', async () => {
    const policy = await compilePolicy({ version: '1', methods: { initialize: 'deny', ping: 'deny' } } as PolicyDocument, '/p.json', { pathEnv: hostFileSystem() });
    expect(decideMessage(policy, 'client→server', 'initialize', {})).toMatchObject({ outcome: 'allow' });
    expect(decideMessage(policy, 'client→server', 'ping', undefined)).toMatchObject({ outcome: 'allow' });
  });
  it('denies methods in either direction', () => {
    expect(decideMessage(p(rich), 'server→client', 'sampling/createMessage', {})).toMatchObject({ outcome: 'refuse', rule: 'methods.sampling/createMessage' });
    expect(decideMessage(p(rich), 'client→server', 'logging/setLevel', {})).toMatchObject({ outcome: 'refuse' });
  });
  it('relays unknown methods', () => {
    expect(decideMessage(p(seed), 'client→server', 'server/discover', {})).toMatchObject({ outcome: 'allow' });
    expect(decideMessage(p(seed), 'server→client', 'elicitation/create', {})).toMatchObject({ outcome: 'allow' });
  });
  it('judges resources by URI glob, and the default for the rest', () => {
    expect(decideMessage(p(rich), 'client→server', 'resources/read', { uri: 'file:///home/me/secrets/a/b.txt' })).toMatchObject({ outcome: 'refuse', rule: 'resources.file:///home/me/secrets/**' });
    expect(decideMessage(p(rich), 'client→server', 'resources/read', { uri: 'file:///home/me/notes.txt' })).toMatchObject({ outcome: 'allow' });
    expect(decideMessage(p(seed), 'client→server', 'prompts/get', { name: 'x' })).toMatchObject({ outcome: 'refuse', rule: 'default' });
  });
  // The conformance suite's 2026-07-28 probe: resources/subscribe with nothing but _meta, which
  // the server answers with -32601 (the revision removed the method). An allow-all mcp-guard
  // refused it instead.
  it('gives a resource request that names nothing the default, and refuses one without a URI that carries anything else', () => {
    const meta = { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } };
    expect(decideMessage(p(rich), 'client→server', 'resources/subscribe', meta)).toMatchObject({ outcome: 'allow', rule: 'default' });
    expect(decideMessage(p(rich), 'client→server', 'resources/read', {})).toMatchObject({ outcome: 'allow', rule: 'default' });
    expect(decideMessage(p(seed), 'client→server', 'resources/subscribe', meta)).toMatchObject({ outcome: 'refuse', decision: 'invalid_arguments' });
    for (const params of [undefined, { ...meta, url: 'file:///home/me/secrets/a' }, { uri: 5 }, { uri: null }]) {
      expect(decideMessage(p(rich), 'client→server', 'resources/read', params)).toMatchObject({ outcome: 'refuse', decision: 'invalid_arguments' });
    }
  });
});

describe('tools/list visibility', () => {
  it('hides hidden tools and, under default deny, unlisted ones; denied tools stay visible', () => {
    const policy = p(rich);
    expect(isToolVisible(policy, 'transfer_repository')).toBe(false);
    expect(isToolVisible(policy, 'internal')).toBe(false);
    expect(isToolVisible(policy, 'shell_exec')).toBe(true);
    expect(isToolVisible(policy, 'anything')).toBe(true);
    expect(isToolVisible(p(seed), 'anything')).toBe(false);
    expect(isToolVisible(p(seed), 'python_venv')).toBe(true);
  });
});

describe('properties', () => {
  it('under default deny, no name outside the policy is ever allowed, whatever its shape', () => {
    const policy = p(seed);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.anything(), (name, args) => {
        const d = decideToolCall(policy, name, args);
        if (d.outcome !== 'refuse') expect(name).toBe('python_venv');
      }),
      { numRuns: 2000 },
    );
  });
  it('a hidden or denied name is refused in every letter case', () => {
    const policy = p(rich);
    fc.assert(
      fc.property(fc.constantFrom('shell_exec', 'transfer_repository', 'read_secret'), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), (name, upper) => {
        const variant = Array.from(name, (ch, i) => (upper[i] ? ch.toUpperCase() : ch)).join('');
        expect(decideToolCall(policy, variant, {}).outcome).toBe('refuse');
      }),
    );
  });
});
