/**
 * An incremental scanner for one JSON-RPC response streamed in chunks. It reads what the relay
 * needs to know about a large response without holding it whole or decoding it to a string: the
 * top-level keys (to tell a response from a request), the `id` (which servers built on the MCP SDK
 * write last), whether `result.isError` is true, and whether the text is structurally well-formed
 * JSON. String contents — the bulk of any large result — are skipped with a native `indexOf`.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_CAPTURE = 256;

export interface ScanSummary {
  /** Top-level member names seen, in order. */
  keys: string[];
  /** The raw JSON text of the top-level `id`, when one was complete. */
  idText: string | undefined;
  /** `result.isError` was the literal `true`. */
  isError: boolean;
  /** Balanced brackets, terminated strings, one top-level object, nothing after it. */
  wellFormed: boolean;
  /** Something already seen cannot be part of a JSON object (whatever follows). */
  malformed: boolean;
}

export class ResponseScanner {
  private depth = 0;
  private inString = false;
  /** Backslashes immediately before the current position, inside a string (parity matters). */
  private backslashes = 0;
  private done = false;
  private broken = false;
  private started = false;
  /** Expecting a member name at the current depth (right after `{` or `,` inside an object). */
  private expectKey = false;
  private readonly objectAt: boolean[] = [];
  // Capture of small texts: a top-level key name, or a value we care about.
  private capturing: 'key' | 'value' | undefined;
  private capture: number[] = [];
  private captureKeyName = '';
  private currentTopKey = '';
  private currentResultKey = '';
  private readonly keys: string[] = [];
  private idText: string | undefined;
  private isError = false;

  push(chunk: Buffer): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.inString) {
        const quote = chunk.indexOf(QUOTE, i);
        const end = quote === -1 ? n : quote;
        // Count the backslash run just before `end` (it may continue one from the last chunk).
        let run = 0;
        let j = end - 1;
        while (j >= i && chunk[j] === BACKSLASH) {
          run++;
          j--;
        }
        const carried = j < i ? this.backslashes + run : run;
        if (this.capturing) this.captureBytes(chunk, i, end);
        if (quote === -1) {
          this.backslashes = carried;
          return;
        }
        if (carried % 2 === 1) {
          // An escaped quote: still inside the string.
          if (this.capturing) this.capture.push(QUOTE);
          this.backslashes = 0;
          i = quote + 1;
          continue;
        }
        this.inString = false;
        this.backslashes = 0;
        i = quote + 1;
        this.endString();
        continue;
      }
      const c = chunk[i]!;
      i++;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        if (this.capturing === 'value') this.finishValue();
        continue;
      }
      if (this.done) {
        this.broken = true;
        continue;
      }
      switch (c) {
        case QUOTE:
          this.inString = true;
          this.backslashes = 0;
          if (this.expectKey) this.beginCapture('key');
          else if (this.wantsValue()) this.beginCapture('value', true);
          break;
        case 0x7b: // {
        case 0x5b: // [
          if (this.capturing === 'value') this.stopCapture();
          if (!this.started) {
            this.started = true;
            if (c !== 0x7b) this.broken = true;
          }
          this.objectAt.push(c === 0x7b);
          this.depth++;
          this.expectKey = c === 0x7b;
          break;
        case 0x7d: // }
        case 0x5d: {
          // ]
          if (this.capturing === 'value') this.finishValue();
          const wasObject = this.objectAt.pop();
          if (wasObject === undefined || wasObject !== (c === 0x7d)) this.broken = true;
          this.depth--;
          this.expectKey = false;
          if (this.depth === 0) this.done = true;
          if (this.depth === 1) this.currentResultKey = '';
          break;
        }
        case 0x2c: // ,
          if (this.capturing === 'value') this.finishValue();
          this.expectKey = this.objectAt[this.objectAt.length - 1] === true;
          break;
        case 0x3a: // :
          this.expectKey = false;
          if (this.wantsValue()) this.beginCapture('value');
          break;
        default:
          if (!this.started) this.broken = true;
          if (this.capturing === 'value') this.capture.push(c);
      }
    }
  }

  summary(): ScanSummary {
    return {
      keys: this.keys,
      idText: this.idText,
      isError: this.isError,
      wellFormed: this.done && !this.broken && !this.inString && this.depth === 0,
      malformed: this.broken,
    };
  }

  /** A value is interesting when it is the top-level `id`, or `isError` directly inside `result`. */
  private wantsValue(): boolean {
    return (this.depth === 1 && this.currentTopKey === 'id') || (this.depth === 2 && this.currentTopKey === 'result' && this.currentResultKey === 'isError');
  }

  private beginCapture(kind: 'key' | 'value', quoted = false): void {
    this.capturing = kind;
    this.capture = quoted ? [QUOTE] : [];
  }

  private captureBytes(chunk: Buffer, from: number, to: number): void {
    for (let k = from; k < to && this.capture.length < MAX_CAPTURE; k++) this.capture.push(chunk[k]!);
  }

  private stopCapture(): void {
    this.capturing = undefined;
    this.capture = [];
  }

  private endString(): void {
    if (this.capturing === 'key') {
      const name = Buffer.from(this.capture).toString('utf8');
      this.captureKeyName = name;
      if (this.depth === 1) {
        this.currentTopKey = name;
        this.keys.push(name);
      } else if (this.depth === 2 && this.currentTopKey === 'result') {
        this.currentResultKey = name;
      }
      this.stopCapture();
    } else if (this.capturing === 'value') {
      this.capture.push(QUOTE);
      this.finishValue();
    }
  }

  private finishValue(): void {
    const text = Buffer.from(this.capture).toString('utf8');
    if (this.depth === 1 && this.currentTopKey === 'id' && this.captureKeyName === 'id') this.idText = text;
    if (this.depth === 2 && this.currentResultKey === 'isError') this.isError = text === 'true';
    this.stopCapture();
  }
}
