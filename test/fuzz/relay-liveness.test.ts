/**
 * The relay in process, with a client and a server that read only when the schedule lets them
 * (small buffers, so both ask the relay to wait), answers long enough to be streamed or held
 * whole, and every byte boundary the pipes could cut: whatever the schedule, once both sides read
 * again and the server answers what it was given, every call reaches the server once, in order,
 * every answer reaches the client once, and every request of the server's gets one answer. A
 * relay that left an input paused for good (the long-response hang of `607bc3a`) or lost a line
 * fails here.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inProcessRelay } from './in-process-relay.js';
import { cut } from './arbitraries.js';
import { PERMISSIVE_POLICY } from './oracle.js';
import { runs, seed, timeLimit } from './settings.js';

const RUNS = runs(200);
const TIME_LIMIT = timeLimit(60_000);
/** Above the relay's streaming threshold (256 KiB). */
const LONG_TEXT = 300 * 1024;

const tick = () => new Promise((r) => setImmediate(r));

/** A reader that takes what was written only when told to, with a small buffer. */
class SlowReader {
  readonly stream: Writable;
  private readonly waiting: Array<() => void> = [];
  private readonly parts: Buffer[] = [];
  private text = '';

  constructor(highWaterMark: number) {
    this.stream = new Writable({
      highWaterMark,
      write: (chunk: Buffer, _encoding, done) => {
        this.parts.push(chunk);
        this.waiting.push(done);
      },
    });
  }

  /** Reads what is waiting now (one round: more may be written at once). */
  readOnce(): void {
    this.waiting.splice(0).forEach((done) => done());
  }

  get idle(): boolean {
    return this.waiting.length === 0 && this.stream.writableLength === 0;
  }

  /** The complete lines read since the last call. */
  takeLines(): string[] {
    this.text += Buffer.concat(this.parts.splice(0)).toString('utf8');
    const end = this.text.lastIndexOf('\n');
    if (end === -1) return [];
    const lines = this.text.slice(0, end).split('\n');
    this.text = this.text.slice(end + 1);
    return lines;
  }
}

type Step =
  | { kind: 'send'; calls: boolean[]; cuts: number[] }
  | { kind: 'answer'; pick: number; long: boolean }
  | { kind: 'notify'; long: boolean }
  | { kind: 'ask'; allowed: boolean }
  | { kind: 'serverWrites'; fraction: number }
  | { kind: 'clientReads' }
  | { kind: 'serverReads' }
  | { kind: 'tick' };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  // Each call is allowed (true) or refused by mcp-guard itself (false), which answers it.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('send' as const), calls: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }), cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(), long: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('notify' as const), long: fc.boolean() }) },
  // A request of the server's own: allowed (the client answers it) or refused (mcp-guard does).
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ask' as const), allowed: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('serverWrites' as const), fraction: fc.double({ min: 0.01, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'clientReads' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'serverReads' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
);

const call = (id: number, allowed: boolean) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: allowed ? 'echo' : 'shell_exec', arguments: { text: `call ${id}` } } })}\n`;
const notification = (n: number, long: boolean) =>
  `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: long ? 'n'.repeat(LONG_TEXT) : `note ${n}` } })}\n`;
const serverRequest = (n: number, allowed: boolean) => `${JSON.stringify({ jsonrpc: '2.0', id: `s${n}`, method: allowed ? 'roots/list' : 'sampling/createMessage', params: {} })}\n`;
const answer = (id: number, long: boolean) =>
  `${JSON.stringify({ jsonrpc: '2.0', id, result: { content: [{ type: 'text', text: long ? 'x'.repeat(LONG_TEXT) : `answer ${id}` }] } })}\n`;

async function runSchedule(policy: unknown, clientBuffer: number, serverBuffer: number, steps: Step[]) {
  const client = new SlowReader(clientBuffer);
  const server = new SlowReader(serverBuffer);
  const { clientIn, upstreamOut } = await inProcessRelay(policy, 64 * 1024 * 1024, { clientOut: client.stream, upstreamIn: server.stream });
  let sent = 0;
  let notes = 0;
  let notesRead = 0;
  const allowed: number[] = [];
  const received: number[] = [];
  const unanswered: number[] = [];
  let serverQueue = Buffer.alloc(0);
  const allowedAsks: string[] = [];
  const answers = new Map<number, number>();
  // The server's own requests: how many it sent, which the client was shown, the answers it got.
  let asked = 0;
  const shown: string[] = [];
  const serverGot = new Map<string, 'client' | 'refused'>();
  const serverReads = () => {
    server.readOnce();
    for (const line of server.takeLines()) {
      const message = JSON.parse(line) as { id: number | string; result?: { roots?: unknown }; error?: unknown };
      if (typeof message.id === 'string') {
        expect(serverGot.has(message.id), line).toBe(false);
        serverGot.set(message.id, message.result?.roots ? 'client' : 'refused');
        continue;
      }
      const id = message.id;
      received.push(id);
      unanswered.push(id);
    }
  };
  const clientReads = () => {
    client.readOnce();
    for (const line of client.takeLines()) {
      const message = JSON.parse(line) as { id?: number; method?: string; result?: { isError?: boolean; content: Array<{ text: string }> } };
      if (message.method === 'notifications/message') {
        notesRead++;
        continue;
      }
      if (typeof message.id === 'string') {
        // The client answers the server's request at once (its input may be paused: it waits).
        shown.push(message.id);
        clientIn.write(`${JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { roots: [] } })}\n`);
        continue;
      }
      // An allowed call is answered by the server, a refused one by mcp-guard (a tool error).
      const byServer = /^(answer |x)/.test(message.result!.content[0]!.text) && message.result!.isError === undefined;
      expect(byServer, line.slice(0, 200)).toBe(allowed.includes(message.id!));
      answers.set(message.id!, (answers.get(message.id!) ?? 0) + 1);
    }
  };
  const queueAnswer = (pick: number, long: boolean) => {
    if (unanswered.length === 0) return;
    const [id] = unanswered.splice(pick % unanswered.length, 1);
    serverQueue = Buffer.concat([serverQueue, Buffer.from(answer(id!, long))]);
  };
  const serverWrites = (fraction: number) => {
    if (serverQueue.length === 0) return;
    const n = Math.max(1, Math.floor(serverQueue.length * fraction));
    upstreamOut.write(serverQueue.subarray(0, n));
    serverQueue = serverQueue.subarray(n);
  };

  for (const step of steps) {
    switch (step.kind) {
      case 'send': {
        let bytes = '';
        for (const ok of step.calls) {
          bytes += call(++sent, ok);
          if (ok) allowed.push(sent);
        }
        for (const piece of cut(Buffer.from(bytes), step.cuts)) clientIn.write(piece);
        break;
      }
      case 'answer':
        queueAnswer(step.pick, step.long);
        break;
      case 'notify':
        serverQueue = Buffer.concat([serverQueue, Buffer.from(notification(++notes, step.long))]);
        break;
      case 'ask':
        serverQueue = Buffer.concat([serverQueue, Buffer.from(serverRequest(++asked, step.allowed))]);
        if (step.allowed) allowedAsks.push(`s${asked}`);
        break;
      case 'serverWrites':
        serverWrites(step.fraction);
        break;
      case 'clientReads':
        clientReads();
        break;
      case 'serverReads':
        serverReads();
        break;
      case 'tick':
        break;
    }
    await tick();
  }

  // From here on both sides read everything and the server answers all it is given: the relay
  // has to deliver every call and every answer.
  for (let round = 0; round < 2000 && (received.length < allowed.length || answers.size < sent || notesRead < notes || serverGot.size < asked || !client.idle || !server.idle || serverQueue.length > 0); round++) {
    serverReads();
    while (unanswered.length > 0) queueAnswer(0, false);
    serverWrites(1);
    clientReads();
    await tick();
  }
  return { sent, allowed, received, answers, notes, notesRead, asked, allowedAsks, shown, serverGot };
}

describe.each([
  ['default allow (long answers streamed)', { version: '1', default: 'allow', tools: { shell_exec: 'deny' }, methods: { 'sampling/createMessage': 'deny' } }],
  ['permissive with a refused resource (long answers held whole)', PERMISSIVE_POLICY],
])('the relay in process under back-pressure, %s', (_name, policy) => {
  it('delivers every call once and in order, and every answer once, whatever the schedule', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 256, max: 64 * 1024 }),
        fc.integer({ min: 256, max: 64 * 1024 }),
        fc.array(stepArb, { minLength: 1, maxLength: 60, size: 'max' }),
        async (clientBuffer, serverBuffer, steps) => {
          const { sent, allowed, received, answers, notes, notesRead, asked, allowedAsks, shown, serverGot } = await runSchedule(policy, clientBuffer, serverBuffer, steps);
          expect(received).toEqual(allowed);
          expect([...answers.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
          expect([...answers.values()].every((n) => n === 1)).toBe(true);
          expect(notesRead).toBe(notes);
          // The server's requests: the allowed ones shown to the client (once, in order) and
          // answered by it, the refused ones answered by mcp-guard and never shown.
          expect(shown).toEqual(allowedAsks);
          const expected = Array.from({ length: asked }, (_, i) => `s${i + 1}`).map((id) => [id, allowedAsks.includes(id) ? 'client' : 'refused']);
          expect([...serverGot].sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: RUNS, seed: seed(20261201), interruptAfterTimeLimit: TIME_LIMIT },
    );
  }, TIME_LIMIT + 30_000);
});
