// A real redis-server (Debian's package) for the Redis targets: on a free loopback port, with
// nothing written to disk, started by the benchmark and stopped when it ends.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REDIS_MISSING = 'redis-server is not installed (apt-get install -y redis-server)';

/** The redis-server binary on PATH, or undefined. */
export function findRedisServer() {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout?.trim();
  return found.status === 0 && path ? path : undefined;
}

/** A port nobody listens on right now (the kernel's choice). */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts redis-server and resolves once it answers PING: `{ url, port, flush(), stop() }`.
 * Rejects with what it printed when it exits or stays silent.
 */
export async function startRedis(binary = findRedisServer()) {
  if (!binary) throw new Error(REDIS_MISSING);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'mcp-guard-bench-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning'];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (data) => {
    output = (output + data.toString()).slice(-2000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('close', resolve));
  child.once('error', (error) => collect(error.message));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`redis-server exited at start-up: ${output.trim()}`);
    }
    if ((await command(port, 'PING')) !== undefined) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await stop();
      throw new Error(`redis-server did not answer on port ${port} within 20 s: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    /** Empties database 0, so each run starts from nothing, as a fresh SQLite state dir does. */
    flush: async () => {
      const reply = await command(port, 'FLUSHDB');
      if (reply !== '+OK') throw new Error(`redis-server answered FLUSHDB with ${JSON.stringify(reply)}`);
    },
    stop,
  };
}

/** Sends one inline command over a fresh socket; resolves to the first reply line, or undefined when nothing answers. */
function command(port, text) {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let data = '';
    let settled = false;
    const settle = (value) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2000, () => settle(undefined));
    socket.on('connect', () => socket.write(`${text}\r\n`));
    socket.on('data', (chunk) => {
      data += chunk.toString();
      const end = data.indexOf('\r\n');
      if (end !== -1) settle(data.slice(0, end));
    });
    socket.on('error', () => settle(undefined));
    socket.on('close', () => settle(undefined));
  });
}
