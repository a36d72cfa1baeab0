import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { inProcessRelay } from '../../fuzz/in-process-relay.js';

const tick = () => new Promise((r) => setImmediate(r));
const call = (id: number) => `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'echo', arguments: {} } })}\n`;

/**
 * A client that reads only when the test lets it: each write waits until `release()`, and the
 * stream's buffer is small, so a long response makes it ask the relay to wait (needDrain).
 */
function slowClient() {
  const waiting: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(_chunk, _encoding, done) {
      waiting.push(done);
    },
  });
  const release = async () => {
    while (waiting.length > 0 || stream.writableLength > 0) {
      waiting.splice(0).forEach((done) => done());
      await tick();
    }
  };
  return { stream, release };
}

describe('client input while a long response streams to a slow client', () => {
  it('is read again once the response has ended, also when nothing of its own was held back', async () => {
    const client = slowClient();
    const { clientIn, upstreamIn, upstreamOut } = await inProcessRelay({ version: '1', default: 'allow' }, 64 * 1024 * 1024, { clientOut: client.stream });
    const received: string[] = [];
    upstreamIn.on('data', (chunk: Buffer) => received.push(...chunk.toString().split('\n').filter(Boolean)));

    clientIn.write(call(1));
    await tick();
    // The answer to call 1 is long: it streams through, and the slow client's buffer fills.
    upstreamOut.write(`{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"${'x'.repeat(300 * 1024)}`);
    await tick();
    // Call 2 is relayed to the server; with the client's buffer full, client input is paused.
    clientIn.write(call(2));
    await tick();
    // The client reads everything so far (its drain comes while the response is still streaming),
    // then the response ends with a few bytes that fit its buffer: no drain follows them.
    await client.release();
    upstreamOut.write('"}]}}\n');
    await tick();
    await client.release();
    clientIn.write(call(3));
    for (let i = 0; i < 20 && received.length < 3; i++) await tick();
    expect(received.map((line) => (JSON.parse(line) as { id: number }).id)).toEqual([1, 2, 3]);
  });
});
