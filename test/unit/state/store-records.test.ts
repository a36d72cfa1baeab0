/** Approvals and documents round-trip on both backends (SPEC §6, §12, §13). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisStateStore } from '../../../src/state/redis-store.js';
import { SqliteStateStore } from '../../../src/state/sqlite-store.js';
import { parseStateUrl, type RedisLocation } from '../../../src/state/state-url.js';
import type { StateStore } from '../../../src/state/store.js';
import { type RedisServer, startRedis } from '../../support/redis-server.js';

let redis: RedisServer;
const opened: StateStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  for (const s of opened) await s.close();
  await redis?.stop();
});

/** Two stores on one backend: two processes (or machines) sharing it. */
const BACKENDS: Array<[string, () => [StateStore, StateStore]]> = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-records-'));
      return [new SqliteStateStore(dir), new SqliteStateStore(dir)];
    },
  ],
  [
    'redis',
    () => [
      new RedisStateStore(parseStateUrl(redis.url(3), 'test') as RedisLocation),
      new RedisStateStore(parseStateUrl(redis.url(3, 'localhost'), 'test') as RedisLocation),
    ],
  ],
];

function pair(make: () => [StateStore, StateStore]): [StateStore, StateStore] {
  const stores = make();
  opened.push(...stores);
  return stores;
}

const entry = (over: Partial<Parameters<StateStore['createApproval']>[0]> = {}) => ({
  tool: 'delete_file',
  arguments: { path: '/tmp/x', n: [1, 2] },
  reason: 'needs a person' as string | undefined,
  rule: 'tools.delete_file',
  session: 'abc123',
  now: 1_000_000,
  timeoutMs: 50_000,
  ...over,
});

describe.each(BACKENDS)('records on %s', (_name, make) => {
  it('approvals: created by one store, listed and answered through the other', async () => {
    const [guard, terminal] = pair(make);
    const before = (await terminal.listPendingApprovals(1_000_000)).length;
    const id = await guard.createApproval(entry());
    const other = await guard.createApproval(entry({ tool: 'other', reason: undefined, now: 1_000_001 }));
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    const listed = (await terminal.listPendingApprovals(1_000_002)).filter((p) => p.id === id || p.id === other);
    expect(listed).toEqual([
      {
        id,
        tool: 'delete_file',
        arguments: { path: '/tmp/x', n: [1, 2] },
        reason: 'needs a person',
        rule: 'tools.delete_file',
        session: 'abc123',
        requestedAt: new Date(1_000_000).toISOString(),
        expiresAt: new Date(1_050_000).toISOString(),
      },
      expect.objectContaining({ id: other, tool: 'other', reason: null }),
    ]);
    expect(await guard.approvalStatus(id)).toBe('pending');
    expect(await terminal.answerApproval(id, 'approved', 1_000_010)).toBe(true);
    expect(await guard.approvalStatus(id)).toBe('approved');
    // Answered once: a second answer, from either side, finds nothing pending.
    expect(await terminal.answerApproval(id, 'denied', 1_000_011)).toBe(false);
    expect(await guard.approvalStatus(id)).toBe('approved');
    expect((await terminal.listPendingApprovals(1_000_012)).map((p) => p.id)).not.toContain(id);
    // Expired: no longer listed nor answerable by a person; the guard still records how it ended (time 0).
    expect((await terminal.listPendingApprovals(1_050_001)).map((p) => p.id)).not.toContain(other);
    expect(await terminal.answerApproval(other, 'approved', 1_050_001)).toBe(false);
    expect(await guard.answerApproval(other, 'expired', 0)).toBe(true);
    expect(await terminal.approvalStatus(other)).toBe('expired');
    expect(await terminal.approvalStatus('00000000')).toBeUndefined();
    expect(await terminal.answerApproval('nope', 'denied', 0)).toBe(false);
    expect((await terminal.listPendingApprovals(1_000_000)).length).toBe(before);
  });

  it('documents: compare-and-set versions, listing by prefix', async () => {
    const [one, two] = pair(make);
    const kind = `pins-${Math.random()}`;
    expect(await one.readDocument(kind, 'g1\u0000server a')).toBeUndefined();
    expect(await one.writeDocument(kind, 'g1\u0000server a', { tools: { x: 'abc' } }, undefined)).toBe(1);
    // A second creator loses.
    expect(await two.writeDocument(kind, 'g1\u0000server a', { tools: {} }, undefined)).toBeUndefined();
    expect(await two.readDocument(kind, 'g1\u0000server a')).toEqual({ key: 'g1\u0000server a', value: { tools: { x: 'abc' } }, version: 1 });
    expect(await two.writeDocument(kind, 'g1\u0000server a', { tools: { x: 'def' } }, 1)).toBe(2);
    // A writer that read version 1 lost the race.
    expect(await one.writeDocument(kind, 'g1\u0000server a', { tools: { x: 'zzz' } }, 1)).toBeUndefined();
    expect(await one.writeDocument(kind, 'g1\u0000missing', 1, 1)).toBeUndefined();
    expect(await one.writeDocument(kind, 'g1:server b', 'text', undefined)).toBe(1);
    expect(await one.writeDocument(kind, 'g2\u0000server a', null, undefined)).toBe(1);
    expect(await one.writeDocument(`${kind}-other`, 'g1\u0000x', [1], undefined)).toBe(1);
    const listed = await two.listDocuments(kind, 'g1');
    expect(listed).toEqual([
      { key: 'g1\u0000server a', value: { tools: { x: 'def' } }, version: 2 },
      { key: 'g1:server b', value: 'text', version: 1 },
    ]);
    expect((await two.listDocuments(kind, '')).map((d) => d.key)).toEqual(['g1\u0000server a', 'g1:server b', 'g2\u0000server a']);
    expect(await two.listDocuments(kind, 'g1%')).toEqual([]);
  });
});
