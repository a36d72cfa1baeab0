/**
 * One long-lived mcp-guard process (the built CLI) in front of the recording server, driven run
 * after run by the property tests: write a run's bytes in chunks, then a `ping` sentinel; once the
 * sentinel's answer is back, every answer to the run is too (the guard answers or relays in
 * order, and the server answers in order), and the server's record holds all it received.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'bin/mcp-guard.js');
export const RECORDING_SERVER = join(ROOT, 'test/fuzz/recording-server.mjs');

export interface Exchange {
  /** Everything the guard wrote to the client for this run, parsed (the sentinel's answer removed). */
  answers: unknown[];
  /** The bytes the upstream received during this run (the sentinel removed). */
  received: Buffer;
}

export class FuzzGuard {
  readonly dir: string;
  readonly recordFile: string;
  stderr = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly output: unknown[] = [];
  private readonly notJson: string[] = [];
  private partial = '';
  private recordOffset = 0;
  private run = 0;
  private waiter: (() => void) | undefined;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exited = false;

  constructor(policy: unknown, extraArgs: string[] = []) {
    this.dir = mkdtempSync(join(tmpdir(), 'mcp-guard-fuzz-'));
    const policyFile = join(this.dir, 'policy.json');
    this.recordFile = join(this.dir, 'received.bin');
    writeFileSync(policyFile, JSON.stringify(policy));
    writeFileSync(this.recordFile, '');
    this.child = spawn(process.execPath, [BIN, '--quiet', '--policy', policyFile, '--state-dir', join(this.dir, 'state'), '--audit-log', join(this.dir, 'audit.jsonl'), ...extraArgs, '--', process.execPath, RECORDING_SERVER], {
      env: { ...process.env, RECORD_FILE: this.recordFile },
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (text: string) => {
      const lines = (this.partial + text).split('\n');
      this.partial = lines.pop()!;
      for (const line of lines) {
        try {
          this.output.push(JSON.parse(line));
        } catch {
          this.notJson.push(line);
        }
      }
      this.waiter?.();
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (text: string) => {
      this.stderr = (this.stderr + text).slice(-20_000);
    });
    this.child.stdin.on('error', () => undefined);
    this.exit = new Promise((r) =>
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        this.waiter?.();
        r({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Writes the chunks (yielding between them so they reach the guard as separate reads), then waits for every answer. */
  async exchange(chunks: Buffer[], timeoutMs = 20_000): Promise<Exchange> {
    const sentinel = `sentinel-${++this.run}`;
    const from = this.output.length;
    for (const chunk of chunks) {
      if (this.exited) break;
      this.child.stdin.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    const sentinelLine = `{"jsonrpc":"2.0","id":"${sentinel}","method":"ping"}\n`;
    this.child.stdin.write(sentinelLine);
    const deadline = Date.now() + timeoutMs;
    const isSentinel = (m: unknown) => typeof m === 'object' && m !== null && (m as { id?: unknown }).id === sentinel;
    while (!this.output.slice(from).some(isSentinel)) {
      if (this.exited) throw new Error(`mcp-guard exited during the run (${JSON.stringify(await this.exit)}); stderr:\n${this.stderr}`);
      if (Date.now() > deadline) throw new Error(`no answer to the sentinel within ${timeoutMs} ms; stderr:\n${this.stderr}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiter = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    if (this.notJson.length > 0) throw new Error(`mcp-guard wrote lines that are not JSON to stdout: ${JSON.stringify(this.notJson.slice(0, 3))}`);
    const answers = this.output.slice(from).filter((m) => !isSentinel(m));
    let received = this.readRecord();
    const tail = Buffer.from(sentinelLine);
    if (received.subarray(received.length - tail.length).equals(tail)) received = received.subarray(0, received.length - tail.length);
    return { answers, received };
  }

  private readRecord(): Buffer {
    const size = statSync(this.recordFile).size;
    const bytes = Buffer.alloc(size - this.recordOffset);
    const fd = openSync(this.recordFile, 'r');
    try {
      readSync(fd, bytes, 0, bytes.length, this.recordOffset);
    } finally {
      closeSync(fd);
    }
    this.recordOffset = size;
    return bytes;
  }

  async stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const exit = await this.exit;
    clearTimeout(timer);
    return exit;
  }
}
