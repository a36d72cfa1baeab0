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

export class LineSplitter {
  private parts: Buffer[] = [];
  private pending = 0;
  private discarding = false;

  constructor(
    private readonly maxBytes: number,
    private readonly handler: LineHandler,
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
      this.discarding = true;
      this.parts.length = 0;
      this.pending += length;
      return;
    }
    this.parts.push(from === 0 && to === chunk.length ? chunk : chunk.subarray(from, to));
    this.pending += length;
  }

  private finishLine(): void {
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
