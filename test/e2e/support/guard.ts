import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
export const BIN = join(ROOT, 'bin/mcp-guard.js');
export const ECHO_SERVER = join(ROOT, 'test/fixtures/echo-server.mjs');
export const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

export interface Workspace {
  dir: string;
  policyFile: string;
  recordFile: string;
  stateDir: string;
  auditFile: string;
  /** Every line the fixture server received, parsed. */
  recorded(): Array<Record<string, unknown>>;
  writePolicy(policy: unknown): void;
}

export function workspace(policy: unknown, name = 'policy.json'): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-e2e-'));
  const ws: Workspace = {
    dir,
    policyFile: join(dir, name),
    recordFile: join(dir, 'received.jsonl'),
    stateDir: join(dir, 'state'),
    auditFile: join(dir, 'audit.jsonl'),
    recorded: () =>
      existsSync(ws.recordFile)
        ? readFileSync(ws.recordFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>)
        : [],
    writePolicy: (p) => writeFileSync(ws.policyFile, typeof p === 'string' ? p : JSON.stringify(p, null, 2)),
  };
  ws.writePolicy(policy);
  return ws;
}

export interface GuardOptions {
  server?: string[];
  mode?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** The working directory the guard (and so its server) starts in. */
  cwd?: string;
}

/** The guard's command line around a server (the fixture by default). */
export function guardArgs(ws: Workspace, o: GuardOptions = {}): string[] {
  return [BIN, '--policy', ws.policyFile, '--state-dir', ws.stateDir, '--audit-log', ws.auditFile, ...(o.extraArgs ?? []), '--', ...(o.server ?? ['node', ECHO_SERVER])];
}

function guardEnv(ws: Workspace, o: GuardOptions): Record<string, string> {
  return { ...(process.env as Record<string, string>), RECORD_FILE: ws.recordFile, FIXTURE_MODE: o.mode ?? '', ...o.env };
}

/** A real MCP client (the SDK's) talking to the built CLI over stdio. */
export async function connect(ws: Workspace, o: GuardOptions & { capabilities?: Record<string, unknown> } = {}) {
  const stderr: string[] = [];
  const transport = new StdioClientTransport({ command: process.execPath, args: guardArgs(ws, o), env: guardEnv(ws, o), stderr: 'pipe', ...(o.cwd ? { cwd: o.cwd } : {}) });
  transport.stderr?.on('data', (d: Buffer) => stderr.push(d.toString()));
  const client = new Client({ name: 'e2e', version: '1.0.0' }, { capabilities: o.capabilities ?? {} });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr.join('') };
}

/** The built CLI as a raw process, for tests that speak bytes rather than MCP. */
export function spawnGuard(ws: Workspace, o: GuardOptions = {}): RawGuard {
  const child = spawn(process.execPath, guardArgs(ws, o), { env: guardEnv(ws, o) });
  return new RawGuard(child);
}

export class RawGuard {
  readonly lines: Array<Record<string, unknown> | string> = [];
  stderr = '';
  private buffer = '';
  private waiters: Array<() => void> = [];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    // Tests kill guards on purpose; a write racing the kill must not crash the test runner (EPIPE).
    child.stdin.on('error', () => undefined);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl;
      while ((nl = this.buffer.indexOf('\n')) !== -1) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.lines.push(line);
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (this.stderr += d));
    this.exit = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  }

  send(...lines: Array<string | object>): void {
    for (const l of lines) this.child.stdin.write(`${typeof l === 'string' ? l : JSON.stringify(l)}\n`);
  }

  /** Waits until `count` lines have arrived on stdout. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Array<Record<string, unknown> | string>> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} lines; got ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.lines;
  }

  /** The response with this id, once it arrives. */
  async response(id: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => typeof l === 'object' && !Array.isArray(l) && l.id === id && !('method' in l));
      if (found) return found as Record<string, unknown>;
      if (Date.now() > deadline) throw new Error(`no response with id ${JSON.stringify(id)}; got ${JSON.stringify(this.lines)}; stderr: ${this.stderr}`);
      await this.waitFor(this.lines.length + 1, deadline - Date.now()).catch(() => undefined);
    }
  }

  async close(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    return this.exit;
  }
}

export const INIT = { jsonrpc: '2.0', id: 0, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
