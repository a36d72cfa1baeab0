import { type Ambiguity, CONTROL_CHARACTER, foldMemberName, MAX_NESTING } from './duplicate-keys.js';
import { Utf8Checker } from './utf8.js';

/**
 * An incremental scanner for one JSON-RPC message that arrives in chunks: a long server response
 * is judged while it arrives, never held whole as a string, and never parsed (SPEC §4). It reads
 * the top-level member names (a response has only jsonrpc/id/result/error), the `id` (which
 * servers built on the MCP SDK write last), and checks what the relay checks of a whole line:
 * valid UTF-8, well-formed JSON, one value and nothing after it, no member name twice in an
 * object (letter case aside), no control character in a member name, nesting within the limit.
 * String contents — the bulk of any large result — are skipped with a native `indexOf`.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The id and other values captured are small; a longer one is not an id anything matches. */
const MAX_VALUE_CAPTURE = 256;
/** Member names are kept whole to compare them; one longer than this is refused. */
export const MAX_MEMBER_NAME_BYTES = 64 * 1024;

export type StreamViolation = Ambiguity | { kind: 'invalid-utf8' } | { kind: 'member-name-too-long' };

export interface ScanSummary {
  /** Top-level member names seen, in order. */
  keys: string[];
  /** The raw JSON text of the top-level `id`, when one was complete. */
  idText: string | undefined;
  /** Balanced brackets, terminated strings, one top-level object, nothing after it. */
  wellFormed: boolean;
  /** Something already seen cannot be part of one JSON object (whatever follows). */
  malformed: boolean;
  /** The first thing that makes the message ambiguous or invalid to some reader, once seen. */
  violation: StreamViolation | undefined;
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
  /** The folded member names seen in each open object (undefined for an open array). */
  private readonly names: Array<Set<string> | undefined> = [];
  private capturing: 'key' | 'value' | undefined;
  private capture: number[] = [];
  private captureEscaped = false;
  private currentTopKey = '';
  private readonly keys: string[] = [];
  private idText: string | undefined;
  private violation: StreamViolation | undefined;
  private readonly utf8 = new Utf8Checker();

  push(chunk: Buffer): void {
    if (!this.violation && !this.utf8.push(chunk)) this.violation = { kind: 'invalid-utf8' };
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
          if (this.capturing) this.captureBytes(chunk, quote, quote + 1);
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
        // A second value after the message: one reader sees two messages, another one.
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
          this.names.push(c === 0x7b ? new Set() : undefined);
          this.depth++;
          if (this.depth > MAX_NESTING && !this.violation) this.violation = { kind: 'too-deep', limit: MAX_NESTING };
          this.expectKey = c === 0x7b;
          break;
        case 0x7d: // }
        case 0x5d: {
          // ]
          if (this.capturing === 'value') this.finishValue();
          const wasObject = this.objectAt.pop();
          this.names.pop();
          if (wasObject === undefined || wasObject !== (c === 0x7d)) this.broken = true;
          this.depth--;
          this.expectKey = false;
          if (this.depth === 0) this.done = true;
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
      wellFormed: this.done && !this.broken && !this.inString && this.depth === 0 && this.utf8.complete(),
      malformed: this.broken,
      violation: this.violation ?? (this.done && !this.utf8.complete() ? { kind: 'invalid-utf8' } : undefined),
    };
  }

  /** The value of the top-level `id` is the one value captured. */
  private wantsValue(): boolean {
    return this.depth === 1 && this.currentTopKey === 'id';
  }

  private beginCapture(kind: 'key' | 'value', quoted = false): void {
    this.capturing = kind;
    this.capture = quoted ? [QUOTE] : [];
    this.captureEscaped = false;
  }

  private captureBytes(chunk: Buffer, from: number, to: number): void {
    const limit = this.capturing === 'key' ? MAX_MEMBER_NAME_BYTES + 1 : MAX_VALUE_CAPTURE;
    for (let k = from; k < to && this.capture.length < limit; k++) {
      const b = chunk[k]!;
      if (b === BACKSLASH) this.captureEscaped = true;
      this.capture.push(b);
    }
  }

  private stopCapture(): void {
    this.capturing = undefined;
    this.capture = [];
  }

  private endString(): void {
    if (this.capturing === 'key') {
      this.takeKey();
      this.stopCapture();
    } else if (this.capturing === 'value') {
      this.capture.push(QUOTE);
      this.finishValue();
    }
  }

  private takeKey(): void {
    if (this.capture.length > MAX_MEMBER_NAME_BYTES) {
      this.violation ??= { kind: 'member-name-too-long' };
      return;
    }
    const raw = Buffer.from(this.capture).toString('utf8');
    let name = raw;
    if (this.captureEscaped) {
      try {
        name = JSON.parse(`"${raw}"`) as string;
      } catch {
        this.broken = true;
        return;
      }
    }
    if (this.depth === 1) {
      this.currentTopKey = name;
      this.keys.push(name);
    }
    if (this.violation) return;
    if (CONTROL_CHARACTER.test(name)) {
      this.violation = { kind: 'control-character', key: name };
      return;
    }
    const seen = this.names[this.names.length - 1];
    if (!seen) return;
    const folded = foldMemberName(name);
    if (seen.has(folded)) this.violation = { kind: 'duplicate-key', key: name };
    else seen.add(folded);
  }

  private finishValue(): void {
    if (this.depth === 1 && this.currentTopKey === 'id') this.idText = Buffer.from(this.capture).toString('utf8');
    this.stopCapture();
  }
}
