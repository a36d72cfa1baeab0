/**
 * Bypass fuzzing in the other direction, on the relay in process: a generated, misbehaving server
 * answers a client's requests (tools/list, tools/call) with short and long responses, members in
 * odd places and odd letter cases, bare CRs, batches, deep nesting and requests the policy denies.
 * Read the way other clients would read it, nothing the client receives may be a request the
 * policy denies, no tools/list answer may show a hidden tool, and every request gets an answer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inProcessRelay } from './in-process-relay.js';
import { arr, type JsonKey, type JsonNode, lit, obj, serialize, str } from './json-tree.js';
import { asRead, member, Members, parseTree, type Tree, VIEWS } from './json-tree.js';
import { answersById, idKey, readings } from './oracle.js';
import { runs, seed, timeLimit } from './settings.js';

const RUNS = runs(300);

const POLICY = {
  version: '1',
  default: 'allow',
  hide: ['secret_*'],
  methods: { 'sampling/createMessage': 'deny', 'elicitation/create': 'deny', 'roots/list': 'deny' },
};
const DENIED = new Set(Object.keys(POLICY.methods));
const CLIENT_REQUESTS = ['L', 'c1', 'c2'];

const key = (name: string): JsonKey => ({ name, escape: 'json' });
const keyArb = (names: string[]) => fc.record({ name: fc.constantFrom(...names), escape: fc.constantFrom<'json' | 'unicode'>('json', 'json', 'unicode') });
const idArb = fc.constantFrom(...CLIENT_REQUESTS, 'unknown', 's1').map((id) => str(id));
/** Stands for a byte that is not UTF-8 (0xC0): written into the line in its place. */
const BAD_BYTE = '\ue000';
const methodArb = fc.constantFrom(
  'sampling/createMessage',
  'elicitation/create',
  'roots/list',
  'notifications/message',
  'ping',
  'Sampling/CreateMessage',
  'notifications/progress',
  'sampling/createMessage\u0000x',
  `sampling/createMessage${BAD_BYTE}`,
);
const toolsArb = fc
  .record({
    names: fc.array(fc.constantFrom('echo', 'secret_key', 'SECRET_key', 'ｓｅｃｒｅｔ_x', 'secret_\n', 'read_file'), { maxLength: 4 }),
    member: fc.constantFrom('tools', 'tools', 'Tools', 'tools\u0000'),
    pad: fc.constantFrom(0, 0, 300 * 1024),
  })
  .map(({ names, member, pad }) =>
    obj([[key(member), arr(names.map((n) => obj([['name', str(n)], ['description', str('d'.repeat(pad))], ['inputSchema', obj([['type', str('object')]])]])))]]),
  );
/** Over the 256 KiB at which the relay streams a response to the client as it arrives. */
const bigArb = fc.constantFrom(300 * 1024, 600 * 1024).map((n) => obj([['content', arr([obj([['type', str('text')], ['text', str('x'.repeat(n))]])])]]));

const SMUGGLED = '{"jsonrpc":"2.0","id":"smuggled","method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}';
/** Closes nothing: `{"x":1}` then a second value; the object's own `}` follows it. */
const SMUGGLED_TAIL = ` ${SMUGGLED.slice(0, -1)}`;
/** Members a response should not carry, or carries in another case: what a lenient client might read. */
const extraArb: fc.Arbitrary<Array<[JsonKey, JsonNode]>> = fc.array(
  fc.oneof(
    fc.tuple(keyArb(['method', 'Method', 'METHOD', 'method\u0000x']), methodArb.map((m) => str(m))),
    fc.tuple(keyArb(['params', 'Params']), fc.constant(obj([['messages', arr([])]]))),
    fc.tuple(keyArb(['id', 'ID']), idArb),
    fc.tuple(keyArb(['RESULT', 'Result']), toolsArb),
    fc.tuple(keyArb(['result\u0000']), toolsArb),
    // A second value after the response on its line.
    fc.constant<[JsonKey, JsonNode]>([key('x'), lit(`1}${SMUGGLED_TAIL}`)]),
  ),
  { maxLength: 2 },
);

const responseArb: fc.Arbitrary<JsonNode> = fc
  .record({ id: idArb, result: fc.oneof(toolsArb, bigArb, fc.constant(obj([]))), extra: extraArb, idLast: fc.boolean(), extraFirst: fc.boolean() })
  .map(({ id, result, extra, idLast, extraFirst }) => {
    const own: Array<[JsonKey, JsonNode]> = [[key('jsonrpc'), str('2.0')]];
    if (!idLast) own.push([key('id'), id]);
    own.push([key('result'), result]);
    if (idLast) own.push([key('id'), id]);
    return { t: 'obj', entries: extraFirst ? [...extra, ...own] : [...own, ...extra] } as JsonNode;
  });

const requestArb: fc.Arbitrary<JsonNode> = fc
  .record({ method: methodArb, id: fc.option(fc.constantFrom('s1', 's2', 'L'), { nil: undefined }), extra: extraArb })
  .map(({ method, id, extra }) => {
    const entries: Array<[JsonKey, JsonNode]> = [[key('jsonrpc'), str('2.0')], [key('method'), str(method)]];
    if (id) entries.push([key('id'), str(id)]);
    entries.push([key('params'), obj([])], ...extra);
    return { t: 'obj', entries } as JsonNode;
  });

const serverLineArb = fc.record({
  node: fc.oneof(
    { weight: 6, arbitrary: responseArb },
    { weight: 3, arbitrary: requestArb },
    { weight: 2, arbitrary: fc.array(fc.oneof(responseArb, requestArb), { minLength: 1, maxLength: 3 }).map((items) => arr(items)) },
    // A request hidden in a member's value between two CRs, and a batch too deep to handle.
    { weight: 1, arbitrary: fc.constant(obj([['jsonrpc', str('2.0')], ['method', str('notifications/message')], ['params', lit(`\r${SMUGGLED}\r`)]])) },
    { weight: 1, arbitrary: fc.constant(lit(`[${'['.repeat(3000)}${']'.repeat(3000)},${SMUGGLED}]`)) },
  ),
  ws: fc.array(fc.constantFrom('', '', '', ' ', '\r'), { minLength: 1, maxLength: 4 }),
});

/** When the client asks for the tool list: never, before the server writes, or halfway through its first line. */
type ListTiming = 'none' | 'before' | 'during';

async function run(lines: Buffer[], list: ListTiming): Promise<{ toClient: Buffer; answered: Map<string, number> }> {
  const { relay, clientIn, clientOut, upstreamIn, upstreamOut } = await inProcessRelay(POLICY, 4 << 20);
  const toClient: Buffer[] = [];
  clientOut.on('data', (c: Buffer) => toClient.push(c));
  upstreamIn.resume();
  const askList = () => clientIn.write(`{"jsonrpc":"2.0","id":"L","method":"tools/list"}\n`);
  // A tools/list waiting for its answer keeps long responses from being streamed: fuzz both ways.
  if (list === 'before') askList();
  for (const id of ['c1', 'c2']) clientIn.write(`{"jsonrpc":"2.0","id":"${id}","method":"tools/call","params":{"name":"echo","arguments":{}}}\n`);
  await new Promise((r) => setImmediate(r));
  for (const [i, line] of lines.entries()) {
    if (i === 0 && list === 'during') {
      // The line has begun, long enough to be judged as it arrives, before the list is asked for.
      const half = Math.floor(line.length / 2);
      upstreamOut.write(line.subarray(0, half));
      await new Promise((r) => setImmediate(r));
      askList();
      await new Promise((r) => setImmediate(r));
      upstreamOut.write(line.subarray(half));
    } else upstreamOut.write(line);
  }
  await new Promise((r) => setImmediate(r));
  relay.upstreamEnded('the test ended');
  await new Promise((r) => setImmediate(r));
  const bytes = Buffer.concat(toClient);
  const parsed: unknown[] = [];
  for (const line of bytes.toString('utf8').split('\n')) {
    try {
      parsed.push(JSON.parse(line));
    } catch {
      // A long response cut short: the oracle below still reads it every way it can.
    }
  }
  return { toClient: bytes, answered: answersById(parsed) };
}

const foldName = (n: string) => n.normalize('NFKC').toLowerCase();

/** The line as bytes, each BAD_BYTE written as 0xC0 (which no UTF-8 text contains). */
function withBadBytes(text: string): Buffer {
  const parts = text.split(BAD_BYTE).map((p) => Buffer.from(p));
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [Buffer.from([0xc0]), p])));
}

function problems(received: Buffer): string[] {
  const found: string[] = [];
  for (const reading of readings(received)) {
    let tree: Tree;
    try {
      tree = parseTree(reading.text, 5000);
    } catch {
      continue;
    }
    for (const message of Array.isArray(tree) ? tree : [tree]) {
      for (const view of VIEWS) {
        const method = asRead(member(message, 'method', view), view);
        if (typeof method === 'string' && DENIED.has(method)) found.push(`the client received ${method} (${reading.how}): ${reading.text.slice(0, 200)}`);
        if (member(message, 'id', view) !== 'L') continue;
        const tools = member(member(message, 'result', view), 'tools', view);
        for (const tool of Array.isArray(tools) ? tools : []) {
          const name = tool instanceof Members ? asRead(member(tool, 'name', view), view) : undefined;
          if (typeof name === 'string' && foldName(name).startsWith('secret_')) found.push(`tools/list showed the hidden tool ${JSON.stringify(name)}: ${reading.text.slice(0, 200)}`);
        }
      }
    }
  }
  return found;
}

describe('bypass fuzzing, server to client (relay in process)', () => {
  it('passes no denied request and no hidden tool to the client, under any reading, and answers every request', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(serverLineArb, { minLength: 1, maxLength: 6 }), fc.constantFrom<ListTiming>('none', 'before', 'during'), async (specs, list) => {
        const lines = specs.map(({ node, ws }) => withBadBytes(`${serialize(node, ws)}\n`));
        const { toClient, answered } = await run(lines, list);
        expect(problems(toClient)).toEqual([]);
        for (const id of list !== 'none' ? CLIENT_REQUESTS : ['c1', 'c2']) expect(answered.get(idKey(id)) ?? 0, `answers to ${id}`).toBeGreaterThanOrEqual(1);
      }),
      { numRuns: RUNS, seed: seed(20261127) },
    );
  }, timeLimit(120_000));
});
