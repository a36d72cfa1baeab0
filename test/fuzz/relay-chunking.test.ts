/**
 * The relay in process, on PassThrough streams: whatever byte boundaries the pipes cut a stream
 * at — inside a line, inside a UTF-8 sequence, one byte at a time — it judges, relays and answers
 * exactly what it does when the same bytes arrive in one piece.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inProcessRelay } from './in-process-relay.js';
import { cut, IdAllocator, type LineSpec, lineSpecArb, writeLine } from './arbitraries.js';
import { PERMISSIVE_POLICY, STRICT_POLICY } from './oracle.js';
import { runs, seed, timeLimit } from './settings.js';

const RUNS = runs(150);
const TIME_LIMIT = timeLimit(30_000);

interface Output {
  toClient: string;
  toUpstream: string;
}

async function relayBytes(policyDoc: unknown, fromClient: Buffer[], fromUpstream: Buffer[]): Promise<Output> {
  const { relay, clientIn, clientOut, upstreamIn, upstreamOut } = await inProcessRelay(policyDoc, 1 << 20);
  const toClient: Buffer[] = [];
  const toUpstream: Buffer[] = [];
  clientOut.on('data', (c: Buffer) => toClient.push(c));
  upstreamIn.on('data', (c: Buffer) => toUpstream.push(c));
  for (const chunk of fromClient) clientIn.write(chunk);
  await new Promise((r) => setImmediate(r));
  for (const chunk of fromUpstream) upstreamOut.write(chunk);
  await new Promise((r) => setImmediate(r));
  relay.clientEnded();
  relay.upstreamEnded('the test ended');
  await new Promise((r) => setImmediate(r));
  return { toClient: Buffer.concat(toClient).toString('utf8'), toUpstream: Buffer.concat(toUpstream).toString('utf8') };
}

const bytesOf = (lines: LineSpec[], prefix: string) => {
  const ids = new IdAllocator(prefix);
  return Buffer.concat(lines.map((l) => writeLine(l, ids)));
};

describe.each([
  ['strict', STRICT_POLICY],
  ['permissive', PERMISSIVE_POLICY],
])('the relay in process, %s policy', (_name, policy) => {
  it('judges and answers the same whatever the chunk boundaries, in both directions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(lineSpecArb, { minLength: 1, maxLength: 8 }),
        fc.array(lineSpecArb, { maxLength: 6 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 16 }),
        async (clientLines, serverLines, cuts) => {
          const client = bytesOf(clientLines, 'c');
          const server = bytesOf(serverLines, 's');
          const whole = await relayBytes(policy, [client], [server]);
          expect(await relayBytes(policy, cut(client, cuts), cut(server, cuts))).toEqual(whole);
        },
      ),
      { numRuns: RUNS, seed: seed(20261125) },
    );
  }, TIME_LIMIT);

  it('one byte at a time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineSpecArb, { minLength: 1, maxLength: 4 }), async (clientLines) => {
        const client = bytesOf(clientLines, 'c');
        fc.pre(client.length < 20_000);
        const whole = await relayBytes(policy, [client], []);
        const bytes = Array.from({ length: client.length }, (_, i) => client.subarray(i, i + 1));
        expect(await relayBytes(policy, bytes, [])).toEqual(whole);
      }),
      { numRuns: Math.round(RUNS / 3), seed: seed(20261126) },
    );
  }, TIME_LIMIT);
});
