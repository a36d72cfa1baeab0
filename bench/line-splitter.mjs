// Newline framing for the driver and nothing else: scan each chunk with Buffer.indexOf, keep the
// parts of a line that spans chunks, and join them once, so every target pays the same client cost.

const NEWLINE = 0x0a;

/** Calls `onLine(line)` with each complete, non-empty line as a Buffer (without its \n). */
export class LineSplitter {
  #parts = [];
  #length = 0;
  #onLine;

  constructor(onLine) {
    this.#onLine = onLine;
  }

  push(chunk) {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    if (this.#parts.length > 0) {
      if (newline === -1) {
        this.#parts.push(chunk);
        this.#length += chunk.length;
        return;
      }
      this.#parts.push(chunk.subarray(0, newline));
      this.#length += newline;
      this.#emitParts();
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    while (newline !== -1) {
      if (newline > start) this.#onLine(chunk.subarray(start, newline));
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) {
      this.#parts.push(chunk.subarray(start));
      this.#length += chunk.length - start;
    }
  }

  #emitParts() {
    const parts = this.#parts;
    const length = this.#length;
    this.#parts = [];
    this.#length = 0;
    if (length === 0) return;
    this.#onLine(Buffer.concat(parts, length));
  }
}
