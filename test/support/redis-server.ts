import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real `redis-server` (Debian's package) on a free loopback port, for the Redis backend's
 * tests. Without the binary the tests FAIL with this message, never skip: `.ci/run` installs it.
 */
export const REDIS_MISSING =
  'redis-server is not installed, so the Redis state backend cannot be tested: install it (apt-get install -y redis-server; .ci/run does this when it is missing)';

export interface RedisServerOptions {
  /** Extra arguments, e.g. ['--appendonly', 'yes', '--appendfsync', 'always'] for a server that keeps its data over a kill. */
  args?: string[];
  /** A data directory to (re)use: a restarted server with AOF finds its data there. */
  dir?: string;
  port?: number;
}

export interface RedisServer {
  port: number;
  dir: string;
  url: (db?: number, host?: string) => string;
  /** SIGKILL: no shutdown, no save, connections drop mid-command. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export function redisServerPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') throw new Error(REDIS_MISSING);
  return path;
}

/** A port nobody listens on right now (the kernel's choice). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startRedis(options: RedisServerOptions = {}): Promise<RedisServer> {
  const binary = redisServerPath();
  const port = options.port ?? (await freePort());
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'mcp-guard-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--loglevel', 'warning', ...(options.args ?? [])];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPing(port, child, () => output);
  const stopWith = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    port,
    dir,
    url: (db = 0, host = '127.0.0.1') => `redis://${host}:${port}/${db}`,
    kill: () => stopWith('SIGKILL'),
    stop: async () => {
      await stopWith('SIGTERM');
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls with PING over a raw socket until the server answers (PONG, or NOAUTH when it wants a password). */
async function waitForPing(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited at start-up: ${output()}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 20 s: ${output()}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let data = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        socket.end();
        resolve(true);
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(data.includes('\r\n')));
  });
}
