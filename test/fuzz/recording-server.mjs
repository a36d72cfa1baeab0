#!/usr/bin/env node
// The fuzz suite's upstream: records every byte it receives, exactly as received (RECORD_FILE,
// appended before anything is answered), so the suite can re-read the stream the way other
// parsers would (splitting at a bare CR, matching keys case-insensitively, first or last
// duplicate winning). It answers every request it can find on a `\n`-delimited line, never
// crashes on odd input, and answers the elements of a batch one by one.
import { appendFileSync } from 'node:fs';

const record = process.env.RECORD_FILE;
let pending = Buffer.alloc(0);

function answer(id, result) {
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);
}

function handle(message) {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return;
  if (typeof message.method !== 'string' || !('id' in message)) return;
  const { id, method } = message;
  if (typeof id !== 'string' && typeof id !== 'number') return;
  if (method === 'initialize') {
    return answer(id, { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'fuzz-recorder', version: '1' } });
  }
  answer(id, { content: [{ type: 'text', text: `handled ${method}` }] });
}

process.stdin.on('data', (chunk) => {
  if (record) appendFileSync(record, chunk);
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  let newline;
  while ((newline = pending.indexOf(10)) !== -1) {
    const line = pending.subarray(0, newline).toString('utf8');
    pending = pending.subarray(newline + 1);
    let parsed;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    for (const message of Array.isArray(parsed) ? parsed : [parsed]) handle(message);
  }
});
process.stdin.on('end', () => process.exit(0));
