import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { BIN, ROOT } from './guard.js';

/**
 * A harness for attacking an example policy in front of the real server it is written for: each
 * bypass attempt is one line of data, every attempt goes through the built CLI, and what the
 * server received is recorded on its way in (record-stdin.mjs), so a test can assert that no
 * attempt ever reached it, and that nothing secret ever came back.
 */

export const SERVERS = join(ROOT, 'node_modules/@modelcontextprotocol');
export const RECORD_STDIN = join(ROOT, 'test/e2e/support/record-stdin.mjs');
export const example = (name: string) => join(ROOT, 'examples', name);

/** `resources/read` instead of a tool: the attack's arguments are `{ uri }`. */
export const READ_RESOURCE = 'resources/read';
/** `prompts/get` instead of a tool: the attack's arguments are `{ name, arguments? }`. */
export const GET_PROMPT = 'prompts/get';

/**
 * What a refusal is reported as: a decision of SPEC §4, or `rpc:<code>` for a request answered
 * with a JSON-RPC error that carries no decision (`rpc:-32600`: a message with case-variant
 * duplicate members, refused before it is judged).
 */
export type Refusal = 'denied' | 'invalid_arguments' | 'protected' | 'rate_limited' | 'approval_declined' | `rpc:${number}`;

/**
 * One bypass attempt: what it tries, the tool it calls (or READ_RESOURCE, GET_PROMPT), the arguments, and how
 * it must be refused (default: the table's). `{name}` in any string of the arguments is replaced
 * by the session's value of `name` (`{root}`, `{home}`…).
 */
export type Attack = [why: string, tool: string, args: Record<string, unknown>, refusedAs?: Refusal | readonly Refusal[]];

export interface GuardedServer {
  client: Client;
  /** Every JSON-RPC message the server received, in order. */
  received(): Array<Record<string, unknown>>;
  /** The questions mcp-guard asked the person (elicitation messages). */
  asked: string[];
  stderr(): string;
  policyFile: string;
  stateDir: string;
  auditLog: string;
  close(): Promise<void>;
}

export interface GuardOptions {
  /** The policy file mcp-guard uses (an example, or a copy). */
  policyFile: string;
  /** The server's command line. */
  server: string[];
  /** What the person says to every question: a rubber stamp ("accept") or "decline". */
  answer: 'accept' | 'decline';
  cwd?: string;
  env?: Record<string, string>;
  stateDir?: string;
  auditLog?: string;
}

/** mcp-guard around the server (its input recorded), with the SDK's client in front. */
export async function guardServer(o: GuardOptions): Promise<GuardedServer> {
  const scratch = mkdtempSync(join(tmpdir(), 'mcp-guard-attack-'));
  const record = join(scratch, 'received.jsonl');
  const stateDir = o.stateDir ?? join(scratch, 'state');
  const auditLog = o.auditLog ?? join(scratch, 'audit.jsonl');
  const args = [BIN, '--policy', o.policyFile, '--state-dir', stateDir, '--audit-log', auditLog, '--shutdown-timeout', '1', '--', process.execPath, RECORD_STDIN, record, ...o.server];
  const transport = new StdioClientTransport({
    command: process.execPath,
    args,
    env: { ...(process.env as Record<string, string>), MCP_GUARD_POLICY: '', ...o.env },
    ...(o.cwd ? { cwd: o.cwd } : {}),
    stderr: 'pipe',
  });
  const stderr: string[] = [];
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'attacker', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params.message);
    return o.answer === 'accept' ? { action: 'accept', content: {} } : { action: 'decline' };
  });
  await client.connect(transport);
  return {
    client,
    asked,
    policyFile: o.policyFile,
    stateDir,
    auditLog,
    stderr: () => stderr.join(''),
    received: () => readJsonLines(record),
    close: () => client.close(),
  };
}

/** A copy of an example in a fresh directory (outside every root the server is given). */
export function copyExample(name: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mcp-guard-policy-')), name);
  copyFileSync(example(name), file);
  return file;
}

export interface Outcome {
  attack: Attack;
  tool: string;
  args: Record<string, unknown>;
  /** How mcp-guard refused it, or undefined when the call was relayed. */
  refusal: string | undefined;
  /** The whole answer, as text: secrets must never appear in it. */
  answer: string;
}

/** Sends every attack, one after the other, and collects what came back. */
export async function attack(g: GuardedServer, attacks: readonly Attack[], values: Record<string, string>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const a of attacks) {
    const [, tool, raw] = a;
    const args = fill(raw, values) as Record<string, unknown>;
    try {
      if (tool === READ_RESOURCE) {
        const result = await g.client.readResource({ uri: args.uri as string });
        out.push({ attack: a, tool, args, refusal: undefined, answer: JSON.stringify(result) });
      } else if (tool === GET_PROMPT) {
        const result = await g.client.getPrompt(args as { name: string; arguments?: Record<string, string> });
        out.push({ attack: a, tool, args, refusal: undefined, answer: JSON.stringify(result) });
      } else {
        const result = await g.client.callTool({ name: tool, arguments: args });
        const meta = result._meta?.['mcp-guard'] as { decision?: string } | undefined;
        out.push({ attack: a, tool, args, refusal: meta?.decision, answer: JSON.stringify(result) });
      }
    } catch (error) {
      if (!(error instanceof McpError)) throw error;
      const decision = (error.data as { decision?: string } | undefined)?.decision;
      out.push({ attack: a, tool, args, refusal: decision ?? `rpc:${error.code}`, answer: `${error.message} ${JSON.stringify(error.data ?? null)}` });
    }
  }
  return out;
}

/**
 * Everything that went wrong, as readable lines (an empty list when the policy held): an attack
 * not refused as it must be, one the server received anyway, or a secret in any answer.
 */
export function breaches(g: GuardedServer, outcomes: readonly Outcome[], o: { refusedAs: Refusal | readonly Refusal[]; secrets?: readonly string[] }): string[] {
  const problems: string[] = [];
  const received = g.received();
  for (const outcome of outcomes) {
    const [why, , , own] = outcome.attack;
    const expected = [own ?? o.refusedAs].flat();
    const call = `${why}: ${outcome.tool} ${JSON.stringify(outcome.args)}`;
    if (!expected.includes(outcome.refusal as Refusal)) {
      problems.push(`${call} was ${outcome.refusal === undefined ? 'relayed' : `refused as ${outcome.refusal}`}, not ${expected.join(' or ')}: ${outcome.answer.slice(0, 300)}`);
    }
    if (received.some((m) => sameRequest(m, outcome))) problems.push(`${call} reached the server`);
    for (const secret of o.secrets ?? []) if (outcome.answer.includes(secret)) problems.push(`${call} answered with the secret ${JSON.stringify(secret)}`);
  }
  return problems;
}

function sameRequest(message: Record<string, unknown>, outcome: Outcome): boolean {
  const params = message.params as Record<string, unknown> | undefined;
  if (outcome.tool === READ_RESOURCE) return message.method === 'resources/read' && params?.uri === outcome.args.uri;
  if (outcome.tool === GET_PROMPT) return message.method === 'prompts/get' && params?.name === outcome.args.name;
  return message.method === 'tools/call' && params?.name === outcome.tool && isDeepStrictEqual(params.arguments, outcome.args);
}

/** The tool calls the server received (name and arguments). */
export function receivedCalls(g: GuardedServer): Array<{ name: unknown; arguments: unknown }> {
  return g
    .received()
    .filter((m) => m.method === 'tools/call')
    .map((m) => {
      const params = m.params as Record<string, unknown>;
      return { name: params.name, arguments: params.arguments };
    });
}

/** Replaces `{name}` in every string, at any depth. */
export function fill(value: unknown, values: Record<string, string>): unknown {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
  if (Array.isArray(value)) return value.map((v) => fill(v, values));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, values)]));
  return value;
}

/**
 * Every file, directory and symlink under `dir` (symlinks not followed) with a digest of its
 * content or its target: equal snapshots mean nothing was written, moved, created or deleted.
 */
export function snapshot(dir: string, skip: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = join(at, name);
      if (skip.some((s) => file === s || file.startsWith(`${s}/`))) continue;
      const stat = lstatSync(file);
      const key = relative(dir, file);
      if (stat.isSymbolicLink()) out[key] = `-> ${readlinkSync(file)}`;
      else if (stat.isDirectory()) {
        out[key] = 'dir';
        walk(file);
      } else out[key] = createHash('sha256').update(readFileSync(file)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** Waits until `ready()` holds (a file the guard writes a moment after it answers), failing after 10 s. */
export async function until(ready: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A fresh directory, free of symlinks (macOS's /tmp is one), so paths compare as the guard resolves them. */
export function freshDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

function readJsonLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
