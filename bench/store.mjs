#!/usr/bin/env node
// Store-level micro benchmark: grant charges per second through each state backend, one client,
// batches as the relay makes them (one batch per chunk of client input). Redis runs on loopback:
// a redis-server this script starts on a free port (Debian's package), or --redis-url.
//   node bench/store.mjs [--seconds 3] [--batches 1,16] [--redis-url redis://127.0.0.1:6379/0]
// Run `npm run build` first: it measures dist/.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { openStateStore } from '../dist/state/open-store.js';
import { startRedis } from './redis-server.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    batches: { type: 'string', default: '1,16' },
    'redis-url': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const batches = values.batches.split(',').map(Number);

/** Charges batches of `size` one-limit requests for `seconds`; returns charged requests per second. */
async function measure(store, size) {
  const limit = { counter: 'bench', scope: 'grant', windowMs: 60_000, max: 1e12, amount: 1, rule: 'tools.t.limits[0]' };
  const requests = Array.from({ length: size }, () => [limit]);
  const grant = `bench-${Math.random()}`;
  // Warm up: first connection, scripts loaded, statements prepared.
  for (let i = 0; i < 200; i++) await store.chargeGrant(grant, requests, Date.now());
  let calls = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  while (performance.now() < end) {
    const results = await store.chargeGrant(grant, requests, Date.now());
    if (!results.every((r) => r.ok)) throw new Error('a charge was refused: the benchmark limit is too small');
    calls += size;
  }
  return calls / ((performance.now() - started) / 1000);
}

let redis;
try {
  redis = values['redis-url'] ? { url: values['redis-url'], stop: async () => {} } : await startRedis();
} catch (error) {
  process.stderr.write(`bench: ${error.message}, or pass --redis-url\n`);
  process.exit(1);
}
const sqliteDir = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-sqlite-'));
const rows = [];
try {
  for (const [name, state] of [
    ['sqlite', `sqlite:${sqliteDir}`],
    ['redis', redis.url],
  ]) {
    const store = await openStateStore({ state, env: {} });
    for (let attempt = 0; ; attempt++) {
      try {
        await store.grantUsage('bench', 'bench', 1000, Date.now());
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    for (const size of batches) rows.push({ backend: name, batch: size, callsPerSecond: Math.round(await measure(store, size)) });
    await store.close();
  }
} finally {
  await redis.stop();
  rmSync(sqliteDir, { recursive: true, force: true });
}
if (values.json) {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  process.stdout.write('backend  batch  grant charges/s\n');
  for (const r of rows) process.stdout.write(`${r.backend.padEnd(8)} ${String(r.batch).padStart(5)}  ${String(r.callsPerSecond).padStart(15)}\n`);
  for (const size of batches) {
    const s = rows.find((r) => r.backend === 'sqlite' && r.batch === size).callsPerSecond;
    const r = rows.find((r) => r.backend === 'redis' && r.batch === size).callsPerSecond;
    process.stdout.write(`batch ${size}: redis / sqlite = ${(r / s).toFixed(2)}\n`);
  }
}
