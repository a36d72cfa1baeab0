import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { hostFileSystem, serverMayHaveActed } from '../../../src/policy/host-file-system.js';
import { protectedLocations } from '../../../src/proxy/protected-locations.js';
import { inProcessRelay } from '../../fuzz/in-process-relay.js';

/**
 * The relay writes part of a long chunk of client input while it judges the rest. These tests use
 * the real Relay in process, over a "server" that acts on each write the moment it gets it (a
 * Writable whose _write runs inside the relay's write), the worst case for anything the relay
 * decided before that write.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mcp-guard-early-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Received {
  /** Each write the server got, as the JSON-RPC ids of its lines. */
  writes: Array<Array<number>>;
  bytes: Buffer[];
}

async function relayOver(act: (line: { id: number; params: { name: string; arguments: Record<string, unknown> } }) => void) {
  const policyFile = join(dir, 'policy.json');
  const doc = { version: '1', default: 'allow', pin: 'off' };
  writeFileSync(policyFile, JSON.stringify(doc));
  const pathEnv = hostFileSystem();
  const protect = protectedLocations({ policyFile, stateDir: undefined, auditLog: undefined }, pathEnv);
  const received: Received = { writes: [], bytes: [] };
  const upstreamIn = new Writable({
    write(chunk: Buffer, _encoding, done) {
      received.bytes.push(chunk);
      const lines = chunk.toString('utf8').split('\n').filter((l) => l !== '');
      received.writes.push(lines.map((l) => (JSON.parse(l) as { id: number }).id));
      for (const l of lines) act(JSON.parse(l));
      done();
    },
  });
  const { clientIn, clientOut } = await inProcessRelay(doc, 1 << 20, { policyFile, protect, upstreamIn });
  const replies: Array<{ id: number; result?: { _meta?: { 'mcp-guard'?: { decision?: string } } } }> = [];
  clientOut.on('data', (c: Buffer) => {
    for (const l of c.toString('utf8').split('\n')) if (l !== '') replies.push(JSON.parse(l));
  });
  const send = (calls: Array<{ name: string; arguments: Record<string, unknown> }>) => {
    const text = calls.map((params, i) => `${JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params })}\n`).join('');
    // One chunk: the relay judges all of it in one synchronous run.
    clientIn.write(Buffer.from(text));
    return text;
  };
  return { send, received, replies, policyFile };
}

describe('writing part of a long chunk early', () => {
  it('gives the server the first calls of a long chunk before the last are judged, every byte in order', async () => {
    const { send, received } = await relayOver(() => undefined);
    const calls = Array.from({ length: 30 }, (_, i) => ({ name: 'echo', arguments: { text: `call ${i}` } }));
    const text = send(calls);
    await new Promise((r) => setImmediate(r));
    expect(received.writes.length).toBeGreaterThan(1);
    expect(received.writes.flat()).toEqual(calls.map((_, i) => i + 1));
    expect(Buffer.concat(received.bytes).toString('utf8')).toBe(text);
  });

  it('judges the calls after an early write against the file system as the server left it (a link made by an earlier call)', async () => {
    const link = join(dir, 'notes.txt');
    // The server makes the link when it gets make_link; write_file would then write the policy.
    const { send, received, replies, policyFile } = await relayOver((msg) => {
      if (msg.params.name === 'make_link') symlinkSync(join(dir, 'policy.json'), msg.params.arguments.path as string);
      if (msg.params.name === 'write_file') writeFileSync(msg.params.arguments.path as string, 'overwritten');
    });
    const calls = [{ name: 'make_link', arguments: { path: link } }, ...Array.from({ length: 20 }, () => ({ name: 'write_file', arguments: { path: link } }))];
    send(calls);
    await new Promise((r) => setImmediate(r));
    // The link's write: calls judged before it was made went with it (the server acts on them
    // after making the link, a race no proxy can see); none judged after it may reach the server.
    const withLink = received.writes.findIndex((ids) => ids.includes(1));
    expect(withLink).toBeGreaterThanOrEqual(0);
    expect(received.writes.slice(withLink + 1).flat()).toEqual([]);
    const refused = replies.filter((r) => r.result?._meta?.['mcp-guard']?.decision === 'protected');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length + received.writes.flat().length).toBe(calls.length);
    // What did reach the server went through the link, as it would have with one write per chunk.
    expect(readFileSync(policyFile, 'utf8') === 'overwritten').toBe(received.writes.flat().length > 1);
  });
});

describe('serverMayHaveActed', () => {
  it('makes the file system be asked again within the same synchronous run', () => {
    const env = hostFileSystem();
    const path = join(dir, 'later');
    expect(env.isSymlink(path)).toBeUndefined();
    symlinkSync(dir, path);
    // Same run, nothing written to the server: the answer is kept.
    expect(env.isSymlink(path)).toBeUndefined();
    serverMayHaveActed();
    expect(env.isSymlink(path)).toBe(true);
  });

  it('makes the working directory be asked again, once it has been moved', () => {
    const env = hostFileSystem();
    const before = join(dir, 'before');
    const after = join(dir, 'after');
    mkdirSync(before);
    const started = process.cwd();
    process.chdir(before);
    try {
      expect(env.workingDirectory?.()).toBe(realpathSync(before));
      renameSync(before, after);
      expect(env.workingDirectory?.()).toBe(realpathSync(dir) + '/before');
      serverMayHaveActed();
      expect(env.workingDirectory?.()).toBe(realpathSync(after));
    } finally {
      process.chdir(started);
    }
  });
});
