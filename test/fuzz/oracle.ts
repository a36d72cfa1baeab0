/**
 * The fuzz suite's judge, written from SPEC §3–4 and independent of src/: what each of the two
 * fuzz policies refuses, how other parsers could read the bytes the upstream received, and which
 * answers a client must get.
 */
import { isUtf8 } from 'node:buffer';
import { foldedDuplicate, member, Members, parseTree, TooDeep, type Tree, type View, VIEWS } from './json-tree.js';

/** Default deny: a few tools with argument schemas, a spend cap, public resources, one prompt. */
export const STRICT_POLICY = {
  version: '1',
  default: 'deny',
  hide: ['delete_file'],
  tools: {
    echo: { args: { type: 'object', properties: { text: { type: 'string', maxLength: 64 } } } },
    read_file: { args: { type: 'object', properties: { path: { type: 'string', pattern: '^/public/[a-z]+$' } }, required: ['path'], additionalProperties: false } },
    create_charge: { limits: [{ window: 'hour', max: 1_000_000, increment_from: 'amount' }] },
    shell_exec: { action: 'deny', reason: 'no shell from agents' },
  },
  resources: { 'file:///public/**': 'allow' },
  prompts: { greet: 'allow' },
  methods: { 'completion/complete': 'deny', 'logging/setLevel': 'deny', 'sampling/createMessage': 'deny', 'elicitation/create': 'deny', 'roots/list': 'deny' },
  // Recording arguments makes the audit writer serialise whatever a client sends.
  audit: { arguments: true },
};
const CHARGE_MAX = 1_000_000;

/** Default allow: refusals come from deny entries, globs and `hide`. */
export const PERMISSIVE_POLICY = {
  version: '1',
  default: 'allow',
  hide: ['delete_*'],
  tools: { shell_exec: 'deny', 'admin_*': { action: 'deny', reason: 'no admin tools' } },
  resources: { 'file:///secrets/**': 'deny' },
  prompts: { 'internal_*': 'deny' },
  methods: { 'sampling/createMessage': 'deny', 'completion/complete': 'deny' },
  audit: { arguments: true },
};

export type PolicyName = 'strict' | 'permissive';

/** SPEC §4: names equal to an entry after NFKC and case folding are refused like the entry. */
const foldName = (name: string) => name.normalize('NFKC').toLowerCase();

/** Code points, as JSON Schema's maxLength counts them. */
const length = (s: string) => Array.from(s).length;

/** State the strict policy's spend cap needs across a whole session. */
export interface OracleState {
  charged: number;
}

/** Why the policy refuses this message as a parser with `view` reads it, or undefined if it is allowed. */
export function refusal(policy: PolicyName, message: Tree, view: View, state: OracleState): string | undefined {
  const method = member(message, 'method', view);
  // No method under this reading: a response or garbage, which no server acts on as a call.
  if (typeof method !== 'string') return undefined;
  const params = member(message, 'params', view);
  const exact: View = { caseInsensitive: false, firstWins: view.firstWins };
  return policy === 'strict' ? strict(method, params, view, exact, state) : permissive(method, params, view);
}

function strict(method: string, params: Tree | undefined, view: View, exact: View, state: OracleState): string | undefined {
  if (STRICT_POLICY.methods[method as keyof typeof STRICT_POLICY.methods]) return `the method ${method} is denied`;
  switch (method) {
    case 'tools/call': {
      const name = member(params, 'name', view);
      if (typeof name !== 'string') return 'a tools/call without a tool name';
      const args = member(params, 'arguments', view);
      if (args !== undefined && !(args instanceof Members)) return `arguments of ${name} that are not an object`;
      // Argument members are matched exactly, as JSON Schema does (see the guarantees document).
      if (name === 'echo') {
        const text = member(args, 'text', exact);
        if (text !== undefined && (typeof text !== 'string' || length(text) > 64)) return 'echo with a text that is not a string of at most 64 characters';
        return undefined;
      }
      if (name === 'read_file') {
        if (!(args instanceof Members)) return 'read_file without arguments';
        const path = member(args, 'path', exact);
        if (typeof path !== 'string' || !/^\/public\/[a-z]+$/u.test(path)) return `read_file of ${JSON.stringify(path)}`;
        if (args.entries.some(([k]) => k !== 'path')) return 'read_file with arguments other than path';
        return undefined;
      }
      if (name === 'create_charge') {
        const amount = member(args, 'amount', exact);
        if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) return `create_charge of ${JSON.stringify(amount)}`;
        state.charged += amount;
        if (state.charged > CHARGE_MAX) return `create_charge past the cap: ${state.charged} > ${CHARGE_MAX}`;
        return undefined;
      }
      return `the tool ${JSON.stringify(name)} is not allowed`;
    }
    case 'prompts/get': {
      const name = member(params, 'name', view);
      return name === 'greet' ? undefined : `the prompt ${JSON.stringify(name)}`;
    }
    case 'resources/read':
    case 'resources/subscribe': {
      const uri = member(params, 'uri', view);
      return typeof uri === 'string' && uri.startsWith('file:///public/') ? undefined : `the resource ${JSON.stringify(uri)}`;
    }
    default:
      return undefined;
  }
}

function permissive(method: string, params: Tree | undefined, view: View): string | undefined {
  if (PERMISSIVE_POLICY.methods[method as keyof typeof PERMISSIVE_POLICY.methods]) return `the method ${method} is denied`;
  switch (method) {
    case 'tools/call': {
      const name = member(params, 'name', view);
      if (typeof name !== 'string') return undefined;
      const folded = foldName(name);
      if (folded === 'shell_exec' || folded.startsWith('admin_') || folded.startsWith('delete_')) return `the tool ${JSON.stringify(name)} is denied or hidden`;
      return undefined;
    }
    case 'prompts/get': {
      const name = member(params, 'name', view);
      return typeof name === 'string' && foldName(name).startsWith('internal_') ? `the prompt ${JSON.stringify(name)} is denied` : undefined;
    }
    case 'resources/read':
    case 'resources/subscribe': {
      const uri = member(params, 'uri', view);
      return typeof uri === 'string' && uri.startsWith('file:///secrets/') ? `the resource ${JSON.stringify(uri)} is denied` : undefined;
    }
    default:
      return undefined;
  }
}

// ── how the upstream's bytes can be read ────────────────────────────────────────────────────

export interface Reading {
  text: string;
  /** Which line convention produced it. */
  how: string;
}

/**
 * The lines a server could see in these bytes: split at `\n` (the MCP stdio rule), and split at
 * `\r`, `\r\n` or `\n` (Python's text files, Node's readline, Java's readLine); decoded strictly,
 * and with invalid bytes replaced.
 */
export function readings(bytes: Buffer): Reading[] {
  const out: Reading[] = [];
  const seen = new Set<string>();
  const add = (text: string, how: string) => {
    if (text.trim() === '' || seen.has(text)) return;
    seen.add(text);
    out.push({ text, how });
  };
  let start = 0;
  for (let nl = bytes.indexOf(10); nl !== -1; nl = bytes.indexOf(10, start)) {
    let line = bytes.subarray(start, nl);
    if (line[line.length - 1] === 13) line = line.subarray(0, -1);
    if (isUtf8(line)) add(line.toString('utf8'), 'a \\n-delimited line');
    else add(line.toString('utf8'), 'a \\n-delimited line, invalid UTF-8 replaced');
    start = nl + 1;
  }
  for (const piece of bytes.toString('utf8').split(/\r\n|\r|\n/)) add(piece, 'a line split at a bare CR (universal newlines)');
  // Python's decode(errors="ignore"): bytes that are not UTF-8 vanish, `createMessage\xC0` reads as `createMessage`.
  for (const piece of bytes.toString('utf8').replaceAll('\ufffd', '').split('\n')) add(piece, 'a line decoded ignoring invalid UTF-8');
  return out;
}

/** Parses with duplicates kept; a tree too deep for it falls back to JSON.parse (last copy wins). */
function treeOf(text: string): Tree | undefined {
  try {
    return parseTree(text);
  } catch (error) {
    if (!(error instanceof TooDeep)) return undefined;
  }
  try {
    return toTree(JSON.parse(text), 0);
  } catch {
    return undefined;
  }
}

function toTree(value: unknown, depth: number): Tree {
  if (depth > 8) return null;
  if (Array.isArray(value)) return value.map((v) => toTree(v, depth + 1));
  if (value !== null && typeof value === 'object') return new Members(Object.entries(value).map(([k, v]) => [k, toTree(v, depth + 1)]));
  return value as Tree;
}

export interface Violation {
  reading: Reading;
  view?: View;
  why: string;
}

/** Everything in these received bytes that the policy refuses, under any reading and any view. */
export function violations(policy: PolicyName, received: Buffer, state: OracleState): Violation[] {
  const found: Violation[] = [];
  for (const reading of readings(received)) {
    const tree = treeOf(reading.text);
    if (tree === undefined) continue;
    const messages = Array.isArray(tree) ? tree : [tree];
    const duplicate = foldedDuplicate(tree);
    if (duplicate !== undefined) found.push({ reading, why: `the member "${duplicate}" appears twice (letter case ignored)` });
    for (const message of messages) {
      // One charge per message, whichever view reads it: the cap is about calls, not readings.
      const before = state.charged;
      let charged = before;
      for (const view of VIEWS) {
        state.charged = before;
        const why = refusal(policy, message, view, state);
        charged = Math.max(charged, state.charged);
        if (why) found.push({ reading, view, why });
      }
      state.charged = charged;
    }
  }
  return found;
}

// ── which answers the client must get ───────────────────────────────────────────────────────

/** A stable key for a JSON-RPC id as JavaScript compares it (so 1, 1.0 and -0/0 are one id). */
export function idKey(id: unknown): string {
  return `${typeof id}:${String(id)}`;
}

function validRequestId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const m = value as Record<string, unknown>;
  if (m.jsonrpc !== '2.0' || typeof m.method !== 'string' || 'result' in m || 'error' in m || !('id' in m)) return undefined;
  if (m.params !== undefined && (m.params === null || typeof m.params !== 'object')) return undefined;
  if (typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id))) return idKey(m.id);
  return undefined;
}

function readableId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const id = (value as Record<string, unknown>).id;
  return typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id)) ? idKey(id) : undefined;
}

export interface Expected {
  /** Requests that must get exactly one answer each, by id. */
  must: Map<string, number>;
  /** Other messages with a readable id, which may be answered once each (an error for an invalid message). */
  may: Map<string, number>;
}

const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** What the client sent, framed as SPEC §4 frames it: `\n`-delimited lines, a trailing CR dropped. */
export function expectedAnswers(sent: Buffer): Expected {
  const must = new Map<string, number>();
  const may = new Map<string, number>();
  let start = 0;
  for (let nl = sent.indexOf(10); nl !== -1; nl = sent.indexOf(10, start)) {
    let line = sent.subarray(start, nl);
    start = nl + 1;
    if (line[line.length - 1] === 13) line = line.subarray(0, -1);
    if (!isUtf8(line)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch {
      continue;
    }
    for (const element of Array.isArray(value) ? value : [value]) {
      const id = validRequestId(element);
      if (id !== undefined) bump(must, id);
      else {
        const other = readableId(element);
        if (other !== undefined) bump(may, other);
      }
    }
  }
  return { must, may };
}

/** Answers (responses with a non-null id) in what the guard wrote to the client, by id. */
export function answersById(messages: unknown[]): Map<string, number> {
  const got = new Map<string, number>();
  for (const m of messages.flatMap((x) => (Array.isArray(x) ? x : [x]))) {
    if (m === null || typeof m !== 'object') continue;
    const r = m as Record<string, unknown>;
    if ('method' in r || r.id === null || r.id === undefined) continue;
    bump(got, idKey(r.id));
  }
  return got;
}

/** Problems with the answers: a request not answered exactly once, or an answer to nothing sent. */
export function answerProblems(expected: Expected, got: Map<string, number>): string[] {
  const problems: string[] = [];
  for (const [id, n] of expected.must) {
    const g = got.get(id) ?? 0;
    if (g < n || g > n + (expected.may.get(id) ?? 0)) problems.push(`id ${id}: ${n} request(s), ${g} answer(s)`);
  }
  for (const [id, g] of got) {
    if (!expected.must.has(id) && g > (expected.may.get(id) ?? 0)) problems.push(`id ${id}: ${g} answer(s) to no request`);
  }
  return problems;
}

