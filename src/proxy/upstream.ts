import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { SpawnError } from '../errors.js';

export interface UpstreamExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Upstream {
  child: ChildProcess;
  /** Resolves once the child has exited and its stdout has closed (or shortly after exit, if a grandchild holds it open). */
  exited: Promise<UpstreamExit>;
  /** Whether the child is still running. */
  running(): boolean;
}

/**
 * Starts the upstream server with piped stdin/stdout and our stderr, inheriting the environment
 * and working directory. Plain `spawn` rather than execa here: the relay needs the raw streams,
 * and `run` start-up must not pay for loading execa.
 */
export function startUpstream(command: string, args: string[], options: { stderr?: 'inherit' | 'pipe' } = {}): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'], windowsHide: true });
    let alive = true;
    const exited = new Promise<UpstreamExit>((resolveExit) => {
      let status: UpstreamExit | undefined;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        if (status) resolveExit(status);
      };
      child.once('exit', (code, signal) => {
        alive = false;
        status = { code, signal };
        if (child.stdout?.readableEnded || child.stdout?.destroyed) done();
        // A grandchild may hold stdout open after the child exits: do not wait for it forever.
        else timer = setTimeout(done, 300);
      });
      child.stdout?.once('close', () => status && done());
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      alive = false;
      if (error.code === 'ENOENT') reject(new SpawnError('COMMAND_NOT_FOUND', command, error));
      else if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'EISDIR') reject(new SpawnError('COMMAND_NOT_EXECUTABLE', command, error));
      else reject(error);
    });
    child.once('spawn', () => resolve({ child, exited, running: () => alive }));
  });
}

/** The exit status mcp-guard mirrors: the child's code, or 128+N when it died of signal N. */
export function exitStatusOf(exit: UpstreamExit): number {
  if (exit.code !== null) return exit.code;
  const number = exit.signal ? constants.signals[exit.signal] : undefined;
  return number === undefined ? 1 : 128 + number;
}

/**
 * Stops the child the way the MCP SDK does: close its stdin and wait, then SIGTERM and wait, then
 * SIGKILL. `first` lets a forwarded signal (SIGINT, SIGHUP) replace the closing of stdin.
 */
export async function stopUpstream(upstream: Upstream, graceMs: number, first?: NodeJS.Signals): Promise<UpstreamExit> {
  const { child } = upstream;
  if (first) signal(child, first);
  if (!child.stdin?.destroyed) child.stdin?.end();
  if (await settles(upstream.exited, graceMs)) return upstream.exited;
  if (first !== 'SIGTERM') signal(child, 'SIGTERM');
  if (await settles(upstream.exited, graceMs)) return upstream.exited;
  signal(child, 'SIGKILL');
  return upstream.exited;
}

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  try {
    child.kill(name);
  } catch {
    // Already gone.
  }
}

function settles(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
