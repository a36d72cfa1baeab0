import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CompiledPolicy, compilePolicy } from '../../../../src/policy/engine/compile.js';
import { decideMessage } from '../../../../src/policy/engine/decide.js';
import { readsArguments, refundSimulation, simulate, SimulatedCounters } from '../../../../src/policy/engine/simulate.js';
import type { PolicyDocument } from '../../../../src/policy/engine/types.js';
import { hostFileSystem } from '../../../../src/policy/host-file-system.js';

const doc: PolicyDocument = {
  version: '1',
  default: 'deny',
  hide: ['secret_*'],
  all_tools: { limits: [{ window: 'hour', max: 1000 }] },
  tools: {
    python_venv: { limits: [{ counter: 'python_venv_rate', window: 'minute', max: 10, scope: 'grant' }] },
    echo: { rate_limit: '2/second' },
    read_file: { args: { type: 'object', properties: { path: { type: 'string', pattern: '^/tmp/' } } } },
    write_file: { rules: [{ when: { required: ['force'] }, action: 'deny' }] },
    charge: { limits: [{ window: 'day', max: 100, increment_from: 'amount' }] },
    delete_file: { action: 'ask' },
    shell: 'deny',
  },
  prompts: { greet: 'allow', summarise: { args: { type: 'object', required: ['text'] } } },
  resources: { 'file:///tmp/**': 'allow' },
};

let policy: CompiledPolicy;
beforeAll(async () => {
  policy = await compilePolicy(doc, '/p.json', { pathEnv: hostFileSystem() });
});
const call = (name: string, args: Record<string, unknown> = {}, session?: string) => ({ method: 'tools/call', params: { name, arguments: args }, ...(session ? { session } : {}) });

describe('simulate', () => {
  it('charges grant limits in memory: ten calls a minute, the 11th refused, room again after 60 s', () => {
    const counters = new SimulatedCounters();
    for (let i = 0; i < 10; i++) expect(simulate(policy, call('python_venv'), counters, 0).name).toBe('allowed');
    const eleventh = simulate(policy, call('python_venv'), counters, 30_000);
    expect(eleventh).toMatchObject({ name: 'rate_limited', decision: { rule: 'tools.python_venv.limits[0]', retryAfterSeconds: 30 }, ticket: undefined });
    expect(simulate(policy, call('python_venv'), counters, 59_999).name).toBe('rate_limited');
    expect(simulate(policy, call('python_venv'), counters, 60_000).name).toBe('allowed');
  });

  it('keeps session counters per session, and shares grant counters between sessions', () => {
    const counters = new SimulatedCounters();
    expect(simulate(policy, call('echo', {}, 'a'), counters, 0).name).toBe('allowed');
    expect(simulate(policy, call('echo', {}, 'a'), counters, 0).name).toBe('allowed');
    expect(simulate(policy, call('echo', {}, 'a'), counters, 0).name).toBe('rate_limited');
    expect(simulate(policy, call('echo', {}, 'b'), counters, 0).name).toBe('allowed');
    for (let i = 0; i < 5; i++) simulate(policy, call('python_venv', {}, 'a'), counters, 0);
    for (let i = 0; i < 5; i++) expect(simulate(policy, call('python_venv', {}, 'b'), counters, 0).name).toBe('allowed');
    expect(simulate(policy, call('python_venv', {}, 'c'), counters, 0).name).toBe('rate_limited');
  });

  it('consumes nothing for a refused call, and gives back what a refunded one took', () => {
    const counters = new SimulatedCounters();
    expect(simulate(policy, call('charge', { amount: 101 }), counters, 0)).toMatchObject({ name: 'rate_limited', decision: { rule: 'tools.charge.limits[0]' } });
    const asked = simulate(policy, call('charge', { amount: 100 }), counters, 0);
    expect(asked.name).toBe('allowed');
    expect(simulate(policy, call('charge', { amount: 1 }), counters, 0).name).toBe('rate_limited');
    refundSimulation(counters, asked.ticket!);
    expect(simulate(policy, call('charge', { amount: 1 }), counters, 0).name).toBe('allowed');
  });

  it('reports ask as ask, and judges prompts, resources and methods', () => {
    const counters = new SimulatedCounters();
    expect(simulate(policy, call('delete_file'), counters, 0)).toMatchObject({ name: 'ask', decision: { rule: 'tools.delete_file' } });
    expect(simulate(policy, { method: 'resources/read', params: { uri: 'file:///tmp/a' } }, counters, 0).name).toBe('allowed');
    expect(simulate(policy, { method: 'resources/read', params: { uri: 'file:///etc/passwd' } }, counters, 0)).toMatchObject({ name: 'denied', decision: { rule: 'default' } });
    expect(simulate(policy, { method: 'prompts/get', params: { name: 'greet' } }, counters, 0).name).toBe('allowed');
    expect(simulate(policy, { method: 'ping' }, counters, 0)).toMatchObject({ name: 'allowed', decision: { rule: 'lifecycle' } });
  });
});

describe('readsArguments', () => {
  it('says which calls cannot be judged without their arguments', () => {
    const reads = (method: string, name: string) => readsArguments(policy, method, name);
    expect(reads('tools/call', 'read_file')).toBe(true);
    expect(reads('tools/call', 'write_file')).toBe(true);
    expect(reads('tools/call', 'charge')).toBe(true);
    expect(reads('tools/call', 'echo')).toBe(false);
    expect(reads('tools/call', 'shell')).toBe(false);
    expect(reads('tools/call', 'secret_sauce')).toBe(false);
    expect(reads('tools/call', 'unlisted')).toBe(false);
    expect(reads('tools/call', 'Read_File')).toBe(false);
    expect(reads('prompts/get', 'summarise')).toBe(true);
    expect(reads('prompts/get', 'greet')).toBe(false);
    expect(reads('resources/read', 'file:///tmp/a')).toBe(false);
  });

  it('never says "no" where the decision does depend on the arguments', () => {
    const names = ['read_file', 'write_file', 'charge', 'echo', 'shell', 'secret_x', 'unlisted', 'Read_File', 'greet', 'summarise', 'delete_file'];
    const args = fc.dictionary(fc.constantFrom('path', 'force', 'amount', 'text', 'x'), fc.oneof(fc.string(), fc.integer({ min: -5, max: 500 }), fc.constant('/tmp/a')));
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.constantFrom('tools/call', 'prompts/get'), args, args, (name, method, a, b) => {
        if (readsArguments(policy, method, name)) return;
        const decide = (x: Record<string, unknown>) => decideMessage(policy, 'client→server', method, { name, arguments: x });
        expect(decide(a)).toEqual(decide(b));
      }),
    );
  });
});
