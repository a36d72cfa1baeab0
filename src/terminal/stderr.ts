import { fstatSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Diagnostics waiting for a reader past which new ones are dropped (and counted). */
const BACKLOG = 1024 * 1024;

/**
 * stderr for `run`, written without ever blocking the relay (SPEC §4). Node writes to a pipe
 * synchronously, so a client that never reads mcp-guard's stderr stalled the whole session once
 * its pipe filled (after ~560 refusals). When stderr is a pipe or socket it is switched to
 * non-blocking writes; what the reader has not taken is queued up to a bound, past which lines
 * are dropped and their number reported once it reads again. The server's stderr is then passed
 * through mcp-guard (see `relayServerStderr`), so the server keeps its own blocking pipe.
 */
export class StderrWriter {
  private dropped = 0;
  readonly nonBlocking: boolean;

  constructor(private readonly stream: Writable & { _handle?: { setBlocking?: (blocking: boolean) => unknown }; fd?: number }) {
    this.nonBlocking = makeNonBlocking(stream);
    stream.on('error', () => undefined);
    stream.on('drain', () => {
      if (this.dropped === 0) return;
      const n = this.dropped;
      this.dropped = 0;
      stream.write(`mcp-guard: ${n} diagnostic line${n === 1 ? ' was' : 's were'} dropped while stderr was not being read\n`);
    });
  }

  /** Writes a line unless the reader is too far behind. */
  line(text: string): void {
    if (this.full) {
      this.dropped++;
      return;
    }
    this.stream.write(text);
  }

  /** Bytes of the server's stderr, passed through unchanged; false when the caller should pause until `drain`. */
  bytes(chunk: Buffer): boolean {
    this.stream.write(chunk);
    return !this.full;
  }

  get full(): boolean {
    return this.stream.writableLength > BACKLOG;
  }

  onDrain(fn: () => void): void {
    this.stream.on('drain', fn);
  }
}

function makeNonBlocking(stream: { _handle?: { setBlocking?: (blocking: boolean) => unknown }; fd?: number }): boolean {
  const fd = typeof stream.fd === 'number' ? stream.fd : 2;
  try {
    const stat = fstatSync(fd);
    if (!stat.isFIFO() && !stat.isSocket()) return false;
  } catch {
    return false;
  }
  const setBlocking = stream._handle?.setBlocking;
  if (typeof setBlocking !== 'function') return false;
  return setBlocking.call(stream._handle, false) === 0;
}
