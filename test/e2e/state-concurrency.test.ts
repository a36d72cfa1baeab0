/**
 * Store-level concurrency (SPEC §13): 8 OS processes, 4 on each of two URLs naming the same
 * store (standing in for two machines), charge one grant limit round after round. Exactly `max`
 * is allowed in each round, and a spend cap holds to the unit, on SQLite and on Redis alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execa } from 'execa';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './support/guard.js';
import { type RedisServer, startRedis } from '../support/redis-server.js';

const WORKER = join(ROOT, 'test/fixtures/state/charge-worker.mjs');
let redis: RedisServer;
let sqliteDir: string;

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist/state/open-store.js'))) throw new Error('dist/ is missing: run npm run build first');
  redis = await startRedis();
  sqliteDir = mkdtempSync(join(tmpdir(), 'mcp-guard-conc-'));
});
afterAll(async () => {
  await redis?.stop();
});

const BACKENDS: Array<[string, () => [string, string]]> = [
  ['redis', () => [redis.url(1), redis.url(1, 'localhost')]],
  ['sqlite', () => [`sqlite:${sqliteDir}`, `sqlite://${sqliteDir}/`]],
];

async function race(urls: [string, string], mode: 'count' | 'spend', max: number, rounds: number, perRound: number): Promise<number[][]> {
  const grant = `${mode}-${Math.random()}`;
  // All eight start charging together, once every one has had time to boot.
  const startAt = Date.now() + 3000;
  const workers = Array.from({ length: 8 }, (_, i) =>
    execa(process.execPath, [WORKER, urls[i % 2]!, grant, String(rounds), mode, String(max), String(perRound), String(startAt)], { timeout: 120_000 }),
  );
  return (await Promise.all(workers)).map((w) => JSON.parse(w.stdout) as number[]);
}

describe.each(BACKENDS)('8 processes on two URLs of one %s store', (_name, urls) => {
  it('allow exactly max calls of a grant limit in total, round after round', async () => {
    const rounds = 12;
    const perWorker = await race(urls(), 'count', 25, rounds, 10);
    for (let r = 0; r < rounds; r++) expect(perWorker.reduce((s, w) => s + w[r]!, 0), `round ${r}`).toBe(25);
    // Both "machines" got a share at least once: the two URLs really raced.
    expect(perWorker.filter((_, i) => i % 2 === 0).flat().some((n) => n > 0)).toBe(true);
    expect(perWorker.filter((_, i) => i % 2 === 1).flat().some((n) => n > 0)).toBe(true);
  }, 180_000);

  it('hold a spend cap with amounts to the unit', async () => {
    const rounds = 6;
    const perWorker = await race(urls(), 'spend', 300, rounds, 12);
    for (let r = 0; r < rounds; r++) expect(perWorker.reduce((s, w) => s + w[r]!, 0), `round ${r}`).toBe(300);
  }, 180_000);
});
