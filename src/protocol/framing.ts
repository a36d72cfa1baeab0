/**
 * Newline framing for stdio JSON-RPC. Chunks are scanned for `\n` as Buffers; a line that fits in
 * one chunk is handed on as a zero-copy slice, and a line split across chunks is joined once.
 * Lines over `maxBytes` are discarded as they stream in (never buffered whole) and reported.
 */
export interface LineHandler {
  /** A complete line without its `\n` (and without a trailing `\r`). Empty lines are skipped. */
  line(line: Buffer): void;
  /** A line longer than the limit was dropped; `bytes` is how long it was. */
  oversize(bytes: number): void;
}

/**
 * Lets a long line be passed on while it is still arriving, instead of being held whole: once a
 * line reaches `thresholdBytes`, `begin` sees what has arrived so far and may return a sink that
 * takes the rest of the line as it comes.
 */
export interface StreamHook {
  thresholdBytes: number;
  begin(head: Buffer[], bytes: number): StreamSink | undefined;
}

export interface StreamSink {
  write(part: Buffer): void;
  /** The line ended (its `\n` arrived, or the input ended). */
  end(): void;
  /** The line passed the size limit while streaming; nothing more of it will be written. */
  overflow(bytes: number): void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private discarding = false;
  private sink: StreamSink | undefined;
  private streamTried = false;

  constructor(
    private readonly maxBytes: number,
    private readonly handler: LineHandler,
    private readonly stream?: StreamHook,
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(10, start);
      if (newline === -1) {
        this.append(chunk, start, chunk.length);
        return;
      }
      this.append(chunk, start, newline);
      this.finishLine();
      start = newline + 1;
    }
  }

  /** The stream ended: a last line without `\n` is still a line (it is judged like any other). */
  end(): void {
    if (this.pending > 0 || this.discarding) this.finishLine();
  }

  private append(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    const length = to - from;
    if (this.discarding || this.pending + length > this.maxBytes) {
      if (this.sink && !this.discarding) this.sink.overflow(this.pending + length);
      this.sink = undefined;
      this.discarding = true;
      this.parts.length = 0;
      this.pending += length;
      return;
    }
    const part = from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to);
    this.pending += length;
    if (this.sink) {
      this.sink.write(part);
      return;
    }
    this.parts.push(part);
    if (this.stream && !this.streamTried && this.pending >= this.stream.thresholdBytes) {
      this.streamTried = true;
      this.sink = this.stream.begin(this.parts, this.pending);
      if (this.sink) this.parts = [];
    }
  }

  private finishLine(): void {
    this.streamTried = false;
    if (this.sink) {
      const sink = this.sink;
      this.sink = undefined;
      this.pending = 0;
      sink.end();
      return;
    }
    if (this.discarding) {
      const bytes = this.pending;
      this.discarding = false;
      this.pending = 0;
      this.handler.oversize(bytes);
      return;
    }
    const parts = this.parts;
    let line: Buffer;
    if (parts.length === 0) return;
    line = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.pending);
    this.parts = [];
    this.pending = 0;
    let end = line.length;
    if (line[end - 1] === 13) end--;
    if (end !== line.length) line = line.subarray(0, end);
    if (isBlank(line)) return;
    this.handler.line(line);
  }
}

function isBlank(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b !== 32 && b !== 9 && b !== 13) return false;
  }
  return true;
}
