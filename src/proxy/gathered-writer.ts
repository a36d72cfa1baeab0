import type { Writable } from 'node:stream';

/** Parts this large are written as they are; smaller ones are copied together. */
const COPY_BELOW = 16 * 1024;

/**
 * Writes to a stream, gathering what one chunk of input produces into a single write: the relay
 * judges a chunk of many messages at once, and a `write()` per line (two, with its newline) cost
 * more than the lines themselves (Writable's bookkeeping per call, then a writev of hundreds of
 * pieces). Small parts are copied into one buffer when the batch ends; large ones are written as
 * they are, in order. Outside a batch, writes go straight through.
 */
export class GatheredWriter {
  private parts: Buffer[] = [];
  private bytes = 0;
  private depth = 0;

  constructor(readonly out: Writable) {}

  /** Gathers writes until the matching `end()`. Batches nest. */
  begin(): void {
    this.depth++;
  }

  end(): void {
    if (--this.depth === 0) this.flush();
  }

  write(part: Buffer): void {
    if (this.depth === 0) {
      this.out.write(part);
      return;
    }
    if (part.length >= COPY_BELOW) {
      this.flush();
      this.out.write(part);
      return;
    }
    this.parts.push(part);
    this.bytes += part.length;
  }

  /** Bytes written and not yet taken by the reader, gathered ones included. */
  get pending(): number {
    return this.out.writableLength + this.bytes;
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    const parts = this.parts;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = 0;
    this.out.write(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes));
  }
}
