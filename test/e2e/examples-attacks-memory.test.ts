import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attack, type Attack, breaches, copyExample, freshDir, guardServer, type GuardedServer, receivedCalls, SERVERS } from './support/attacks.js';

/**
 * examples/memory.policy.yaml in front of @modelcontextprotocol/server-memory, with its graph in
 * a file of our own (MEMORY_FILE_PATH): forgetting needs a person's yes (here always "no"), and
 * no call, alone or in a loop, floods the graph. Held means refused by mcp-guard, never received
 * by the server, and the graph file unchanged.
 */

const SERVER = join(SERVERS, 'server-memory/dist/index.js');
const entity = (name: string) => ({ name, entityType: 'thing', observations: [] as string[] });
const many = (n: number) => Array.from({ length: n }, (_, i) => entity(`flood-${i}`));

const ATTACKS: Attack[] = [
  ['forgetting, and the person says no', 'delete_entities', { entityNames: ['mcp-guard'] }, 'approval_declined'],
  ['forgetting observations', 'delete_observations', { deletions: [{ entityName: 'mcp-guard', observations: ['guards MCP servers'] }] }, 'approval_declined'],
  ['forgetting relations', 'delete_relations', { relations: [{ from: 'mcp-guard', to: 'MCP', relationType: 'guards' }] }, 'approval_declined'],
  ['the delete tool in another letter case', 'Delete_Entities', { entityNames: ['mcp-guard'] }, 'denied'],
  ['the delete tool in upper case', 'DELETE_ENTITIES', { entityNames: ['mcp-guard'] }, 'denied'],
  ['the delete tool with a zero-width space', 'delete_entities\u200b', { entityNames: ['mcp-guard'] }, 'denied'],
  ['the delete tool in full-width letters', '\uff44\uff45\uff4c\uff45\uff54\uff45_entities', { entityNames: ['mcp-guard'] }, 'denied'],
  ['a tool the policy does not name', 'wipe_memory', {}, 'denied'],
  ['a thousand entities in one call', 'create_entities', { entities: many(1000) }],
  ['Entities instead of entities', 'create_entities', { Entities: many(1000) }],
  ['a thousand observations on one entity', 'create_entities', { entities: [{ ...entity('big'), observations: Array.from({ length: 1000 }, (_, i) => `o${i}`) }] }],
  ['one observation of 100,000 characters', 'add_observations', { observations: [{ entityName: 'mcp-guard', contents: ['x'.repeat(100_000)] }] }],
  ['a thousand relations in one call', 'create_relations', { relations: Array.from({ length: 1000 }, (_, i) => ({ from: 'mcp-guard', to: `t${i}`, relationType: 'r' })) }],
];

let dir: string;
let memoryFile: string;
let g: GuardedServer;

beforeAll(async () => {
  dir = freshDir('mcp-guard-memory-attack-');
  memoryFile = join(dir, 'memory.jsonl');
  writeFileSync(
    memoryFile,
    [
      { type: 'entity', name: 'mcp-guard', entityType: 'project', observations: ['guards MCP servers'] },
      { type: 'entity', name: 'MCP', entityType: 'protocol', observations: [] },
      { type: 'relation', from: 'mcp-guard', to: 'MCP', relationType: 'guards' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n'),
  );
  g = await guardServer({ policyFile: copyExample('memory.policy.yaml'), server: ['node', SERVER], answer: 'decline', env: { MEMORY_FILE_PATH: memoryFile } });
});

afterAll(async () => g?.close());

describe('memory.policy.yaml against server-memory', () => {
  it('nothing is forgotten without a yes, and no single call floods the graph', async () => {
    const before = readFileSync(memoryFile, 'utf8');
    const outcomes = await attack(g, ATTACKS, {});
    expect(breaches(g, outcomes, { refusedAs: 'invalid_arguments' })).toEqual([]);
    expect(readFileSync(memoryFile, 'utf8')).toBe(before);
    expect(g.asked).toHaveLength(3);
    expect(receivedCalls(g)).toEqual([]);
  });

  it('sixty additions a minute, whichever tool makes them; the graph holds exactly those', async () => {
    for (let i = 0; i < 60; i++) {
      const added = await g.client.callTool({ name: 'create_entities', arguments: { entities: [entity(`loop-${i}`)] } });
      expect(added._meta).toBeUndefined();
    }
    const outcomes = await attack(
      g,
      [
        ['the 61st addition', 'create_entities', { entities: [entity('loop-60')] }],
        ['the 61st, through another tool', 'add_observations', { observations: [{ entityName: 'mcp-guard', contents: ['one more'] }] }],
        ['the 61st, through the third', 'create_relations', { relations: [{ from: 'MCP', to: 'mcp-guard', relationType: 'is guarded by' }] }],
      ],
      {},
    );
    expect(breaches(g, outcomes, { refusedAs: 'rate_limited' })).toEqual([]);
    const graph = readFileSync(memoryFile, 'utf8');
    expect(graph.match(/"name":"loop-\d+"/g)).toHaveLength(60);
    expect(graph).not.toContain('one more');
    expect(receivedCalls(g)).toHaveLength(60);
  });
});
