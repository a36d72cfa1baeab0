/**
 * Generators of client traffic that tries to slip past a policy: tool names that differ from a
 * policy entry only by case or Unicode form, members repeated (exactly, escaped, or in another
 * letter case), members a case-insensitive parser would read as `method`, strings with U+2028
 * and lone surrogates, nesting deep enough to break recursive code, numbers JSON cannot hold,
 * ids of every JSON type, batches, bare CRs where JSON allows whitespace, and raw bytes that are
 * not UTF-8 — all of it cut into chunks at arbitrary byte boundaries.
 */
import fc from 'fast-check';
import { arr, type Escape, type JsonKey, type JsonNode, lit, obj, serialize, str } from './json-tree.js';

/** Ids are placeholders until a run is written, so every run can use fresh ones. */
export const ID_INT = '@ID-INT@';
export const ID_STR = '@ID-STR@';
export const ID_REUSE = '@ID-REUSE@';

/** A node the serializer expands to `depth` nested arrays or objects (kept small for fast-check's reports). */
export interface DeepNode {
  t: 'deep';
  kind: 'arr' | 'obj';
  depth: number;
}
export type FuzzNode = JsonNode | DeepNode;

export const TOOL_NAMES = [
  'echo', 'read_file', 'create_charge', 'shell_exec', 'delete_file', 'delete_repo', 'admin_reset', 'hang',
  'Echo', 'ECHO', 'ｅｃｈｏ', 'SHELL_EXEC', 'Shell_Exec', 'ſhell_exec', 'ｓｈｅｌｌ＿ｅｘｅｃ', 'sһell_exec', 'shell_exec ',
  ' shell_exec', 'shell_exec\u0000', 'shell\u2028exec', 'shell_exec\u200b', 'admin_\nreset', 'admin_\u2028', 'ADMIN_reset',
  'delete_\r', 'DELETE_FILE', 'e\u0301cho', 'echo\ud800', 'read_file\n', '__proto__', 'constructor', 'toString', '',
];

const METHODS = [
  'tools/call', 'tools/call', 'tools/call', 'tools/call', 'resources/read', 'resources/subscribe', 'prompts/get',
  'tools/list', 'resources/list', 'prompts/list', 'initialize', 'ping', 'notifications/initialized', 'notifications/cancelled',
  'notifications/progress', 'completion/complete', 'logging/setLevel', 'sampling/createMessage', 'elicitation/create',
  'roots/list', 'server/discover', 'unknown/thing', 'TOOLS/CALL', 'Tools/Call', 'tools/call ', 'tools\u2028call',
];

const URIS = [
  'file:///public/readme.txt', 'file:///public/', 'file:///public/../secrets/key.pem', 'file:///secrets/key.pem',
  'file:///secrets/\n/../key.pem', 'file:///secrets/\u2028/../key.pem', 'file:///secrets/\r', 'FILE:///secrets/key',
  'file:///%73ecrets/key', 'file:///public/\nx', 'file:///secrets', 'file:///secretsX/a', 'file:///public/a\u0000b',
];

const PROMPTS = ['greet', 'Greet', 'internal_debug', 'INTERNAL_debug', 'ｉｎｔｅｒｎａｌ_x', 'internal_\n', 'internal_\u2028x'];

const NUMBER_TEXTS = ['0', '-0', '1', '42', '-1', '0.5', '1e400', '-1e400', '1e-400', '12345678901234567890123', '9007199254740993', '1.0', '1E2', '999999', '1000001'];

const WEIRD_STRINGS = [
  '', 'a\u2028b', '\u2029', '\u0085', 'line\nbreak', 'cr\rhere', 'tab\t', '\ud800', '\udfff', 'x\ud800\udc00y', '\u0000',
  '\u001b[31mred', '"quoted"', '\\back', '/public/readme', '/public/../secrets', '/secrets/key', '/public/UPPER', 'x'.repeat(70),
  '{"jsonrpc":"2.0","id":99,"method":"tools/call","params":{"name":"shell_exec"}}',
];

const escapeArb: fc.Arbitrary<Escape> = fc.constantFrom<Escape>('json', 'json', 'json', 'unicode');

const stringArb: fc.Arbitrary<JsonNode> = fc
  .tuple(fc.oneof(fc.constantFrom(...WEIRD_STRINGS), fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })), escapeArb)
  .map(([value, escape]) => str(value, escape));

const deepArb: fc.Arbitrary<DeepNode> = fc.record({
  t: fc.constant('deep' as const),
  kind: fc.constantFrom('arr' as const, 'obj' as const),
  depth: fc.constantFrom(2, 50, 999, 1001, 3000, 20000),
});

/**
 * A whole message the policies refuse, written as a member's value between two line breaks of
 * some convention: a server that splits lines there would read it as a message of its own.
 */
const SMUGGLED = [
  '{"jsonrpc":"2.0","id":"smuggled","method":"tools/call","params":{"name":"shell_exec","arguments":{"cmd":"id"}}}',
  '{"jsonrpc":"2.0","id":"smuggled","method":"tools/call","params":{"name":"admin_reset"}}',
  '{"jsonrpc":"2.0","id":"smuggled","method":"resources/read","params":{"uri":"file:///secrets/key.pem"}}',
  '{"jsonrpc":"2.0","method":"sampling/createMessage","params":{}}',
];
const smuggledArb: fc.Arbitrary<JsonNode> = fc
  .tuple(fc.constantFrom(...SMUGGLED), fc.constantFrom('\r', '\r\n', '\n', ' \r', '\r\r'))
  .map(([message, separator]) => lit(`${separator}${message}${separator}`));

const keyArb = (names: string[]): fc.Arbitrary<JsonKey> => fc.record({ name: fc.constantFrom(...names), escape: escapeArb });

const { value: valueArb } = fc.letrec<{ value: FuzzNode }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...NUMBER_TEXTS, 'true', 'false', 'null').map(lit),
    stringArb,
    fc.array(tie('value'), { maxLength: 3 }).map((items) => arr(items as JsonNode[])),
    fc.array(fc.tuple(keyArb(['a', 'b', 'text', 'A']), tie('value')), { maxLength: 3 }).map((entries) => ({ t: 'obj', entries }) as JsonNode),
    deepArb,
    smuggledArb,
  ),
}));

const argumentsArb: fc.Arbitrary<FuzzNode> = fc.oneof(
  { weight: 8, arbitrary: fc.array(fc.tuple(keyArb(['text', 'path', 'amount', 'cmd', 'Text', 'PATH', 'Amount', 'ſext', '__proto__']), valueArb), { maxLength: 3 }).map((entries) => ({ t: 'obj', entries }) as JsonNode) },
  { weight: 1, arbitrary: valueArb },
);

/** Extra members beside the real ones: variants a lenient parser might read instead. */
function variantsOf(names: string[], value: fc.Arbitrary<FuzzNode>): fc.Arbitrary<Array<[JsonKey, FuzzNode]>> {
  const variant = fc.tuple(
    fc.constantFrom(...names).chain((name) =>
      fc.record({
        name: fc.constantFrom(name, name.toUpperCase(), name[0]!.toUpperCase() + name.slice(1), name.replace(/s/g, 'ſ'), name.replace(/k/g, '\u212a')),
        escape: escapeArb,
      }),
    ),
    value,
  );
  return fc.array(variant, { maxLength: 2 });
}

const paramsArb = (method: string): fc.Arbitrary<FuzzNode | undefined> => {
  const base = (entries: fc.Arbitrary<Array<[JsonKey, FuzzNode]>>) =>
    fc.tuple(entries, variantsOf(['name', 'arguments', 'uri'], fc.oneof(valueArb, fc.constantFrom(...TOOL_NAMES).map((n) => str(n))))).map(
      ([own, extra]) => ({ t: 'obj', entries: [...own, ...extra] }) as JsonNode,
    );
  const member = (name: string, value: fc.Arbitrary<FuzzNode>) => fc.tuple(fc.record({ name: fc.constant(name), escape: escapeArb }), value);
  switch (method) {
    case 'tools/call':
      return base(
        fc.tuple(member('name', fc.tuple(fc.constantFrom(...TOOL_NAMES), escapeArb).map(([n, e]) => str(n, e))), fc.option(member('arguments', argumentsArb), { nil: undefined })).map(
          ([name, args]) => (args ? [name, args] : [name]),
        ),
      );
    case 'resources/read':
    case 'resources/subscribe':
      return base(member('uri', fc.tuple(fc.constantFrom(...URIS), escapeArb).map(([u, e]) => str(u, e))).map((m) => [m]));
    case 'prompts/get':
      return base(member('name', fc.tuple(fc.constantFrom(...PROMPTS), escapeArb).map(([n, e]) => str(n, e))).map((m) => [m]));
    default:
      return fc.option(fc.oneof(base(fc.constant([])), valueArb), { nil: undefined });
  }
};

const idArb: fc.Arbitrary<FuzzNode | undefined> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(lit(ID_INT)) },
  { weight: 6, arbitrary: fc.constant(lit(ID_STR)) },
  { weight: 1, arbitrary: fc.constant(lit(ID_REUSE)) },
  { weight: 3, arbitrary: fc.constantFrom('null', 'true', '{}', '[]', '1.5', '-0', '0', '1e400', '12345678901234567890123', '""', '"\\u2028"', '"id\\ud800"').map(lit) },
  { weight: 2, arbitrary: fc.constant(undefined) },
);

/** One JSON-RPC message from a client that may be hostile. */
export const envelopeArb: fc.Arbitrary<FuzzNode> = fc.constantFrom(...METHODS).chain((method) =>
  fc
    .record({
      jsonrpc: fc.constantFrom<FuzzNode | undefined>(str('2.0'), str('2.0'), str('2.0'), str('2.0'), str('1.0'), lit('2.0'), undefined),
      id: idArb,
      methodEscape: escapeArb,
      // Without its own `method`, a message whose extra members include `Method` is a response to
      // an exact parser and a call to one that ignores case.
      omitMethod: fc.nat({ max: 3 }).map((n) => n === 0),
      params: paramsArb(method),
      extra: fc.oneof(
        { weight: 4, arbitrary: fc.constant([] as Array<[JsonKey, FuzzNode]>) },
        { weight: 2, arbitrary: variantsOf(['method', 'id', 'params', 'jsonrpc'], fc.constantFrom(...METHODS).map((m) => str(m))) },
        {
          weight: 1,
          arbitrary: fc.tuple(fc.constantFrom('Method', 'METHOD', 'mEthod'), fc.constantFrom(...METHODS), fc.constantFrom('result', 'error')).map(([name, method, kind]) => [
            [{ name, escape: 'json' }, str(method)] as [JsonKey, FuzzNode],
            [{ name: kind, escape: 'json' }, kind === 'result' ? obj([]) : obj([['code', lit('1')], ['message', str('x')]])] as [JsonKey, FuzzNode],
          ]),
        },
        { weight: 1, arbitrary: fc.constantFrom<Array<[JsonKey, FuzzNode]>>([[{ name: 'result', escape: 'json' }, obj([])]], [[{ name: 'error', escape: 'json' }, obj([['code', lit('1')], ['message', str('x')]])]]) },
      ),
      order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    })
    .map(({ jsonrpc, id, methodEscape, omitMethod, params, extra, order }) => {
      const entries: Array<[JsonKey, FuzzNode]> = [];
      if (jsonrpc) entries.push([{ name: 'jsonrpc', escape: 'json' }, jsonrpc]);
      if (id) entries.push([{ name: 'id', escape: 'json' }, id]);
      if (!omitMethod) entries.push([{ name: 'method', escape: methodEscape }, str(method)]);
      if (params) entries.push([{ name: 'params', escape: 'json' }, params]);
      entries.push(...extra);
      // Members in a generated order: some parsers keep the first copy, some the last.
      const ordered = entries.map((e, i) => ({ e, k: order[i % order.length]! })).sort((a, b) => a.k - b.k).map((x) => x.e);
      return { t: 'obj', entries: ordered } as JsonNode;
    }),
);

const GARBAGE = ['not json', '{', '{"jsonrpc":"2.0","id":1,"method":"ping",}', "{'a':1}", '[]', 'null', '42', '"str"', '{"jsonrpc":"2.0","id":NaN,"method":"ping"}', '/* c */ {}', '[1,2', '\u2028'];

/** A line's contents: one message, a batch, or something that is not a message at all. */
export const lineArb: fc.Arbitrary<FuzzNode | string> = fc.oneof(
  { weight: 14, arbitrary: envelopeArb },
  { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 5, arbitrary: envelopeArb }, { weight: 1, arbitrary: valueArb }), { maxLength: 4 }).map((items) => arr(items as JsonNode[])) },
  { weight: 1, arbitrary: fc.constantFrom(...GARBAGE) },
);

/** Raw bytes dropped into a line: separators other parsers split on, and bytes that are not UTF-8. */
const RAW_INSERTS = [[0x0d], [0x0a], [0xe2, 0x80, 0xa8], [0xc2, 0x85], [0xff], [0xed, 0xa0, 0x80], [0xc0, 0x80], [0x00], [0xef, 0xbb, 0xbf], [0x0d, 0x0a]];

export interface LineSpec {
  content: FuzzNode | string;
  ws: string[];
  insert: { at: number; bytes: number[] } | undefined;
}

export const lineSpecArb: fc.Arbitrary<LineSpec> = fc.record({
  content: lineArb,
  ws: fc.array(fc.constantFrom('', '', '', '', ' ', '\t', '\r', ' \r '), { minLength: 1, maxLength: 6 }),
  insert: fc.option(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), bytes: fc.constantFrom(...RAW_INSERTS) }), { freq: 8, nil: undefined }),
});

/** Hands out ids: fresh integers and strings, or the last one again (to collide with a request in flight). */
export class IdAllocator {
  private n = 0;
  private last = '0';
  constructor(private readonly prefix: string) {}
  next(kind: string): string {
    if (kind === ID_REUSE) return this.last;
    this.n++;
    this.last = kind === ID_INT ? String(this.n) : JSON.stringify(`${this.prefix}-${this.n}`);
    return this.last;
  }
}

function expandDeep(node: FuzzNode): JsonNode {
  if (node.t === 'deep') return lit(node.kind === 'arr' ? `${'['.repeat(node.depth)}${']'.repeat(node.depth)}` : `${'{"a":'.repeat(node.depth)}1${'}'.repeat(node.depth)}`);
  if (node.t === 'arr') return arr(node.items.map((n) => expandDeep(n as FuzzNode)));
  if (node.t === 'obj') return { t: 'obj', entries: node.entries.map(([k, v]) => [k, expandDeep(v as FuzzNode)]) };
  return node;
}

/** The bytes of one line, `\n` included. */
export function writeLine(spec: LineSpec, ids: IdAllocator): Buffer {
  const text =
    typeof spec.content === 'string' ? spec.content : serialize(expandDeep(spec.content), spec.ws).replace(/@ID-(?:INT|STR|REUSE)@/g, (kind) => ids.next(kind));
  let bytes = Buffer.from(text);
  if (spec.insert) {
    const at = Math.floor(spec.insert.at * bytes.length);
    bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(spec.insert.bytes), bytes.subarray(at)]);
  }
  return Buffer.concat([bytes, Buffer.from('\n')]);
}

/** Cuts a byte stream at the given fractions of its length (so lines split anywhere, even inside a UTF-8 sequence). */
export function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((f) => Math.floor(f * bytes.length)))].filter((p) => p > 0 && p < bytes.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let previous = 0;
  for (const p of points) {
    chunks.push(bytes.subarray(previous, p));
    previous = p;
  }
  chunks.push(bytes.subarray(previous));
  return chunks;
}
