import { isUtf8 } from 'node:buffer';

/**
 * Checks that bytes arriving in chunks are valid UTF-8, with Node's native `isUtf8` on each
 * chunk: a character cut between two chunks is carried over and checked with the next one.
 */
export class Utf8Checker {
  private carry: Buffer | undefined;

  /** false once the bytes so far cannot be UTF-8, whatever follows. */
  push(chunk: Buffer): boolean {
    let bytes = chunk;
    if (this.carry) {
      bytes = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    const cut = incompleteTail(bytes);
    if (cut < bytes.length) {
      this.carry = Buffer.from(bytes.subarray(cut));
      bytes = bytes.subarray(0, cut);
    }
    return isUtf8(bytes);
  }

  /** Whether the bytes ended on a whole character. */
  complete(): boolean {
    return this.carry === undefined;
  }
}

/**
 * Where a multi-byte character that the chunk does not finish starts (the chunk's length when
 * it ends on a whole character). Only the last three bytes can start one.
 */
function incompleteTail(bytes: Buffer): number {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}
