import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';
import { SpawnError } from '../errors.js';
import { groupAlive, OWN_GROUP, signalGroup, trackGroup, untrackGroup } from './process-group.js';

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface StartChildOptions {
  /** `inherit` passes the child's stderr through (run); `pipe` lets the caller read it (lint, init). */
  stderr: 'inherit' | 'pipe';
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/**
 * After the direct child has exited, how long its pipes may stay open (a grandchild holding
 * them) before the rest of its group is signalled, and again before we stop reading.
 */
const ORPHAN_MS = 300;
/** How often the group is looked at while waiting for it to go. */
const POLL_MS = 25;

/**
 * A server process and everything it starts, supervised as one: started in its own process
 * group, signalled as a group, stopped with an escalation, and never waited on beyond its own
 * exit plus a short moment, whatever a grandchild does with the pipes.
 */
export class SupervisedChild {
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** The child's stderr when started with `stderr: 'pipe'`. */
  readonly stderr: Readable | null;
  /**
   * Resolves with the direct child's status once it has exited and the rest of its group is
   * gone (signalled if it lingered), and its pipes are closed (or given up on).
   */
  readonly exited: Promise<ChildExit>;
  private alive = true;

  constructor(private readonly child: ChildProcess) {
    this.pid = child.pid!;
    this.stdin = child.stdin!;
    this.stdout = child.stdout!;
    this.stderr = child.stderr;
    // A write racing the child's exit must not become an uncaught EPIPE.
    this.stdin.on('error', () => undefined);
    trackGroup(child);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.alive = false;
        void this.reapGroup().then(() => resolve({ code, signal }));
      });
    });
  }

  /** Whether the direct child is still running. */
  running(): boolean {
    return this.alive;
  }

  /** Sends a signal to the child's whole group. */
  signal(name: NodeJS.Signals): void {
    signalGroup(this.child, name);
  }

  /** Kills the whole group now. */
  kill(): void {
    this.signal('SIGKILL');
  }

  /**
   * Stops the child the way the MCP SDK does, but for the whole group: close its stdin and
   * wait, then SIGTERM and wait, then SIGKILL. `first` lets a forwarded signal (SIGINT,
   * SIGHUP, SIGTERM) go ahead of the closing of stdin.
   */
  async stop(graceMs: number, first?: NodeJS.Signals): Promise<ChildExit> {
    if (first) this.signal(first);
    if (!this.stdin.destroyed) this.stdin.end();
    if (await settles(this.exited, graceMs)) return this.exited;
    if (first !== 'SIGTERM') this.signal('SIGTERM');
    if (await settles(this.exited, graceMs)) return this.exited;
    this.kill();
    return this.exited;
  }

  /**
   * After the direct child's exit: orphans it leaves in its group (a background job of `sh -c`,
   * the server under a wrapper that died) are ended, and a pipe some other process still holds
   * is closed on our side rather than waited for.
   */
  private async reapGroup(): Promise<void> {
    const pipes = [this.stdout, this.stderr].filter((p): p is Readable => p !== null);
    const closed = Promise.all(pipes.map(whenClosed));
    await settles(closed, ORPHAN_MS);
    if (groupAlive(this.child)) {
      this.signal('SIGTERM');
      await groupGone(this.child, ORPHAN_MS);
      this.kill();
    }
    await settles(closed, ORPHAN_MS);
    for (const pipe of pipes) if (!pipe.destroyed) pipe.destroy();
    untrackGroup(this.child);
  }
}

/**
 * Starts `command` with piped stdin and stdout in a process group of its own, inheriting the
 * environment and working directory unless told otherwise. Plain `spawn` rather than execa:
 * the relay needs the raw streams, and `run` start-up must not pay for loading execa.
 * Rejects with a SpawnError (127 / 126) when the command is missing or not executable.
 */
export function startChild(command: string, args: string[], options: StartChildOptions): Promise<SupervisedChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', options.stderr],
      detached: OWN_GROUP,
      windowsHide: true,
      ...(options.env !== undefined ? { env: options.env } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') reject(new SpawnError('COMMAND_NOT_FOUND', command, error));
      else if (error.code === 'EACCES' || error.code === 'EPERM' || error.code === 'EISDIR') reject(new SpawnError('COMMAND_NOT_EXECUTABLE', command, error));
      else reject(error);
    });
    child.once('spawn', () => resolve(new SupervisedChild(child)));
  });
}

/** The exit status mcp-guard mirrors: the child's code, or 128+N when it died of signal N. */
export function exitStatusOf(exit: ChildExit): number {
  if (exit.code !== null) return exit.code;
  const number = exit.signal ? constants.signals[exit.signal] : undefined;
  return number === undefined ? 1 : 128 + number;
}

function whenClosed(stream: Readable): Promise<void> {
  if (stream.closed || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

/** Resolves once nothing of the child's group is left, or after `ms`. */
function groupGone(child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      if (groupAlive(child) && Date.now() < deadline) return;
      clearInterval(timer);
      resolve();
    }, POLL_MS);
  });
}

/** Whether `promise` settles within `ms`. */
function settles(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
