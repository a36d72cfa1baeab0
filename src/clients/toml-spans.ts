/**
 * Where each key's value is in a TOML document. smol-toml reads values but not positions, and
 * rewriting the file with it would drop comments and layout; this scanner only finds spans (the
 * file has already been parsed, so it can assume valid TOML) so that edits touch nothing else.
 */

export interface TomlValueSpan {
  offset: number;
  length: number;
  kind: 'string' | 'array' | 'table' | 'other';
  /** For arrays: each element. */
  elements?: TomlValueSpan[];
}

export interface TomlEntry {
  /** Full key path: the table's path and the (dotted) key. */
  path: string[];
  /** Where the key starts, and where its last dotted part starts. */
  keyOffset: number;
  lastKeyOffset: number;
  value: TomlValueSpan;
  /** Whether the entry is inside an inline table (`{ command = "x" }`). */
  inline: boolean;
  /** For entries on their own line: where the line ends, after any comment, at its line break (-1 when inline). */
  lineEnd: number;
}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function scanTomlEntries(text: string): TomlEntry[] {
  return new TomlScanner(text).scan();
}

class TomlScanner {
  private pos = 0;
  private readonly entries: TomlEntry[] = [];
  private table: string[] = [];
  private readonly arrayTables = new Map<string, number>();

  constructor(private readonly text: string) {
    if (text.startsWith('\uFEFF')) this.pos = 1;
  }

  scan(): TomlEntry[] {
    for (;;) {
      this.skipBlank();
      if (this.pos >= this.text.length) return this.entries;
      if (this.text[this.pos] === '[') this.header();
      else this.keyValue(this.table, false);
      this.endOfLine();
    }
  }

  private fail(what: string): never {
    throw new Error(`cannot read the TOML at offset ${this.pos}: ${what}`);
  }

  private skipSpaces(): void {
    while (this.text[this.pos] === ' ' || this.text[this.pos] === '\t') this.pos++;
  }

  private skipComment(): void {
    if (this.text[this.pos] !== '#') return;
    while (this.pos < this.text.length && this.text[this.pos] !== '\n' && !this.text.startsWith('\r\n', this.pos)) this.pos++;
  }

  /** Whitespace, line breaks and comments. */
  private skipBlank(): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') this.skipComment();
      else return;
    }
  }

  /** After a header or key/value: spaces, a comment, then a line break or the end. Returns where the line ends. */
  private endOfLine(): number {
    this.skipSpaces();
    this.skipComment();
    const lineEnd = this.pos;
    if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    else if (this.text[this.pos] === '\n') this.pos++;
    else if (this.pos < this.text.length) this.fail('expected the end of the line');
    return lineEnd;
  }

  private header(): void {
    const array = this.text.startsWith('[[', this.pos);
    this.pos += array ? 2 : 1;
    const key = this.key();
    this.skipSpaces();
    if (!this.text.startsWith(array ? ']]' : ']', this.pos)) this.fail('expected the end of a table header');
    this.pos += array ? 2 : 1;
    if (!array) {
      this.table = key.segments;
      return;
    }
    // Each [[x]] is a new table; number them so their keys never pass for [x]'s.
    const id = JSON.stringify(key.segments);
    const index = this.arrayTables.get(id) ?? 0;
    this.arrayTables.set(id, index + 1);
    this.table = [...key.segments, `[${index}]`];
  }

  private key(): { segments: string[]; offset: number; lastOffset: number } {
    this.skipSpaces();
    const offset = this.pos;
    const segments: string[] = [];
    let lastOffset = offset;
    for (;;) {
      this.skipSpaces();
      lastOffset = this.pos;
      segments.push(this.keySegment());
      this.skipSpaces();
      if (this.text[this.pos] !== '.') return { segments, offset, lastOffset };
      this.pos++;
    }
  }

  private keySegment(): string {
    const c = this.text[this.pos];
    if (c === '"' || c === "'") {
      const start = this.pos;
      this.string();
      const inner = this.text.slice(start + 1, this.pos - 1);
      return c === "'" ? inner : decodeBasicString(inner);
    }
    const start = this.pos;
    while (this.pos < this.text.length && BARE_KEY.test(this.text[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail('expected a key');
    return this.text.slice(start, this.pos);
  }

  private keyValue(prefix: string[], inline: boolean): void {
    const key = this.key();
    this.skipSpaces();
    if (this.text[this.pos] !== '=') this.fail('expected "="');
    this.pos++;
    this.skipSpaces();
    const path = [...prefix, ...key.segments];
    const value = this.value(path);
    const entry: TomlEntry = { path, keyOffset: key.offset, lastKeyOffset: key.lastOffset, value, inline, lineEnd: -1 };
    this.entries.push(entry);
    if (!inline) {
      const save = this.pos;
      this.skipSpaces();
      this.skipComment();
      entry.lineEnd = this.pos;
      this.pos = save;
    }
  }

  private value(path: string[]): TomlValueSpan {
    const offset = this.pos;
    const c = this.text[this.pos];
    if (c === '"' || c === "'") {
      this.string();
      return { offset, length: this.pos - offset, kind: 'string' };
    }
    if (c === '[') {
      this.pos++;
      const elements: TomlValueSpan[] = [];
      for (;;) {
        this.skipBlank();
        if (this.text[this.pos] === ']') break;
        elements.push(this.value([...path, `[${elements.length}]`]));
        this.skipBlank();
        if (this.text[this.pos] === ',') this.pos++;
        else if (this.text[this.pos] !== ']') this.fail('expected "," or "]"');
      }
      this.pos++;
      return { offset, length: this.pos - offset, kind: 'array', elements };
    }
    if (c === '{') {
      this.pos++;
      for (;;) {
        this.skipBlank();
        if (this.text[this.pos] === '}') break;
        this.keyValue(path, true);
        this.skipBlank();
        if (this.text[this.pos] === ',') this.pos++;
        else if (this.text[this.pos] !== '}') this.fail('expected "," or "}"');
      }
      this.pos++;
      return { offset, length: this.pos - offset, kind: 'table' };
    }
    // Numbers, booleans and dates; a date and a time may be separated by one space.
    while (this.pos < this.text.length && /[A-Za-z0-9_:.+-]/.test(this.text[this.pos]!)) {
      this.pos++;
      if (this.text[this.pos] === ' ' && /^\d{4}-\d{2}-\d{2}$/.test(this.text.slice(offset, this.pos)) && /\d/.test(this.text[this.pos + 1] ?? '')) this.pos++;
    }
    if (this.pos === offset) this.fail('expected a value');
    return { offset, length: this.pos - offset, kind: 'other' };
  }

  /** Moves past a string of any of TOML's four kinds. */
  private string(): void {
    const quote = this.text[this.pos]!;
    const triple = quote.repeat(3);
    if (this.text.startsWith(triple, this.pos)) {
      this.pos += 3;
      for (;;) {
        if (this.pos >= this.text.length) this.fail('unterminated string');
        if (quote === '"' && this.text[this.pos] === '\\') this.pos += 2;
        else if (this.text.startsWith(triple, this.pos)) break;
        else this.pos++;
      }
      this.pos += 3;
      // Up to two more quotes right before the closing three belong to the string.
      for (let extra = 0; extra < 2 && this.text[this.pos] === quote; extra++) this.pos++;
      return;
    }
    this.pos++;
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('unterminated string');
      if (quote === '"' && c === '\\') this.pos += 2;
      else if (c === quote) break;
      else this.pos++;
    }
    this.pos++;
  }
}

/** The value of a basic (double-quoted) TOML string's inside. */
export function decodeBasicString(inner: string): string {
  const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
  return inner.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|.)/g, (_, esc: string) => {
    if (esc.length > 1) return String.fromCodePoint(parseInt(esc.slice(1), 16));
    return simple[esc] ?? esc;
  });
}

/** A TOML basic string holding `value`: JSON's escapes are TOML's, plus DEL, which TOML wants escaped. */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, '\\u007F');
}
