import type { Writable } from 'node:stream';

/** Parts this large are written as they are; smaller ones are copied together. */
const COPY_BELOW = 16 * 1024;

/**
 * Writes to a stream, gathering what one chunk of input produces into a few writes: the relay
 * judges a chunk of many messages at once, and a `write()` per line (two, with its newline) cost
 * more than the lines themselves (Writable's bookkeeping per call, then a writev of hundreds of
 * pieces). Small parts are copied into one buffer when the batch ends or the relay flushes part
 * of it; large ones are written as they are, in order. Outside a batch, writes go straight through.
 */
export class GatheredWriter {
  private parts: Buffer[] = [];
  private bytes = 0;
  private depth = 0;

  /** `wrote` is told after each write to `out`, once the bytes are the reader's to act on. */
  constructor(
    readonly out: Writable,
    private readonly wrote?: () => void,
  ) {}

  /** Gathers writes until the matching `end()`. Batches nest. */
  begin(): void {
    this.depth++;
  }

  end(): void {
    if (--this.depth === 0) this.flush();
  }

  write(part: Buffer): void {
    if (this.depth === 0) {
      this.send(part);
      return;
    }
    if (part.length >= COPY_BELOW) {
      this.flush();
      this.send(part);
      return;
    }
    this.parts.push(part);
    this.bytes += part.length;
  }

  /** Bytes written and not yet taken by the reader, gathered ones included. */
  get pending(): number {
    return this.out.writableLength + this.bytes;
  }

  /**
   * Writes what has been gathered so far; the batch goes on. The relay calls it part-way through
   * a long chunk so the reader starts on the first messages while the rest are judged.
   */
  flush(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = 0;
    this.send(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes));
  }

  private send(part: Buffer): void {
    this.out.write(part);
    this.wrote?.();
  }
}
