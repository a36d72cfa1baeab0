import type { Writable } from 'node:stream';
import { serverMayHaveActed } from '../policy/host-file-system.js';
import { GatheredWriter } from './gathered-writer.js';
import type { Log } from './log.js';

const NEWLINE = Buffer.from('\n');

/**
 * What goes to the client: server lines as their original bytes, and mcp-guard's own lines
 * (refusals, errors, approval requests). While a long server response is being streamed, a line
 * cannot be interrupted, so mcp-guard's own lines wait until it ends (one written into the
 * middle corrupted both), and client input is paused meanwhile so what waits stays small.
 */
export class ClientOutput {
  private held: string[] | undefined;
  private readonly out: GatheredWriter;

  constructor(
    stream: Writable,
    private readonly pauseInput: () => void,
    private readonly resumeInput: () => void,
  ) {
    this.out = new GatheredWriter(stream);
  }

  /** Gathers what one chunk of input produces into few writes (see GatheredWriter). */
  begin(): void {
    this.out.begin();
  }

  end(): void {
    this.out.end();
  }

  /** Writes what the batch has gathered so far. */
  flush(): void {
    this.out.flush();
  }

  /** One of mcp-guard's own lines (ending in `\n`). */
  line(text: string): void {
    if (this.held) {
      this.held.push(text);
      this.pauseInput();
      return;
    }
    this.out.write(Buffer.from(text));
  }

  /** A server line as received (its CRs made spaces), with its newline. */
  raw(bytes: Buffer): void {
    this.out.write(withoutCR(bytes));
    this.out.write(NEWLINE);
  }

  /** Starts a line that arrives in parts; every other line waits until `endStream`. */
  beginStream(): void {
    this.held = [];
  }

  streamPart(bytes: Buffer): void {
    this.out.write(withoutCR(bytes));
  }

  /**
   * Ends the streamed line (complete or cut short), writes what waited, and lets client input be
   * read again if nothing else holds it. Client input may have been paused while the line streamed
   * with nothing held (the client's buffer was full after a chunk of calls for the server), and
   * each drain then found the stream still open: without this, a last part small enough to cause
   * no drain left it paused for good.
   */
  endStream(): void {
    this.out.write(NEWLINE);
    const held = this.held ?? [];
    this.held = undefined;
    for (const text of held) this.out.write(Buffer.from(text));
    this.resumeInput();
  }

  get streaming(): boolean {
    return this.held !== undefined;
  }

  get needsDrain(): boolean {
    return this.out.out.writableNeedDrain;
  }
}

/**
 * Bytes waiting to be written to the server past which mcp-guard stops queueing its own answers
 * (some 14,000 refusals): a server that has not read that many is not reading at all.
 */
const SERVER_ANSWER_BACKLOG = 4 * 1024 * 1024;

/** What goes to the server: client messages as the exact bytes judged, and mcp-guard's answers to its requests. */
export class ServerOutput {
  private answersDropped = false;
  private gone = false;
  private readonly out: GatheredWriter;

  constructor(
    private readonly stream: Writable,
    private readonly log: Log,
  ) {
    // Once the server has messages to act on, what the file system said before may be out of date.
    this.out = new GatheredWriter(stream, serverMayHaveActed);
  }

  /** Gathers what one chunk of input produces into few writes (see GatheredWriter). */
  begin(): void {
    this.out.begin();
  }

  end(): void {
    this.out.end();
  }

  /** Writes what the batch has gathered so far. */
  flush(): void {
    this.out.flush();
  }

  /** The server stopped: nothing more is written. */
  close(): void {
    this.gone = true;
  }

  get closed(): boolean {
    return this.gone || this.stream.destroyed;
  }

  line(bytes: Buffer | string): void {
    if (this.closed) return;
    this.out.write(typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
    this.out.write(NEWLINE);
  }

  /**
   * mcp-guard's own answer to a server request. A server that sends requests and never reads the
   * answers would have them pile up here without end (300 MiB in a test): past a backlog, they
   * are dropped — the server is not reading them anyway.
   */
  answer(text: string): void {
    if (this.out.pending > SERVER_ANSWER_BACKLOG) {
      if (!this.answersDropped) this.log('warn', "the server is not reading its input: dropping mcp-guard's answers to its requests until it does");
      this.answersDropped = true;
      return;
    }
    this.answersDropped = false;
    if (this.closed) return;
    // One write of the whole line, as bytes: a queued string would sit in the V8 heap (old space)
    // until the server reads it, and a flood of them grew the heap to 120 MiB where bytes kept it at 20.
    this.out.write(Buffer.from(text.endsWith('\n') ? text : `${text}\n`));
  }

  get needsDrain(): boolean {
    return this.stream.writableNeedDrain;
  }
}

/**
 * Server bytes as the client gets them. A CR in a line JSON.parse accepted can only be whitespace
 * (in a string it would be invalid JSON), but clients that end lines at CR (Node's readline,
 * Python's text streams) would read one message as two or three: it goes out as a space.
 */
export function withoutCR(bytes: Buffer): Buffer {
  if (bytes.indexOf(13) === -1) return bytes;
  const copy = Buffer.from(bytes);
  for (let i = copy.indexOf(13); i !== -1; i = copy.indexOf(13, i + 1)) copy[i] = 32;
  return copy;
}
