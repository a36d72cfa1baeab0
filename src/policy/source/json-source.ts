/**
 * A JSON parser that remembers where every key and value is, so policy diagnostics can point at
 * the exact line and column. It accepts exactly what JSON.parse accepts (RFC 8259) and says what
 * is wrong in words for what it rejects (comments, trailing commas, single quotes...). Duplicate
 * keys do not stop parsing: they are collected, because a policy with two "tools" keys means
 * different things to different readers and is an error of its own.
 */

/** Where one value sits in the text (offsets), with its members or items. */
export interface JsonNode {
  start: number;
  end: number;
  members?: Map<string, JsonMember>;
  items?: JsonNode[];
}

export interface JsonMember {
  keyStart: number;
  keyEnd: number;
  node: JsonNode;
}

export interface JsonDuplicate {
  path: Array<string | number>;
  keyStart: number;
  keyEnd: number;
  firstKeyStart: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly start: number,
    readonly end: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export interface ParsedJson {
  value: unknown;
  root: JsonNode;
  duplicates: JsonDuplicate[];
}

/** Deeper than this is not a policy; refusing it keeps the recursion bounded. */
const MAX_DEPTH = 256;

/** Parses `text` as JSON; throws JsonSyntaxError with the offset of the first problem. */
export function parseJson(text: string): ParsedJson {
  return new Parser(text).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

class Parser {
  private i = 0;
  private readonly duplicates: JsonDuplicate[] = [];
  private readonly path: Array<string | number> = [];

  constructor(private readonly text: string) {}

  parseDocument(): ParsedJson {
    this.skipWs();
    if (this.i >= this.text.length) throw new JsonSyntaxError('the file is empty; expected a JSON object', this.i, this.i);
    const { value, node } = this.parseValue(0);
    this.skipWs();
    if (this.i < this.text.length) {
      throw this.error(`unexpected ${this.describeHere()} after the end of the JSON value`);
    }
    return { value, root: node, duplicates: this.duplicates };
  }

  private parseValue(depth: number): { value: unknown; node: JsonNode } {
    if (depth > MAX_DEPTH) throw this.error(`nested more than ${MAX_DEPTH} levels deep`);
    const start = this.i;
    const c = this.text[this.i];
    switch (c) {
      case '{':
        return this.parseObject(depth);
      case '[':
        return this.parseArray(depth);
      case '"': {
        const value = this.parseString();
        return { value, node: { start, end: this.i } };
      }
      case 't':
      case 'f':
      case 'n':
        for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
          if (this.text.startsWith(word, this.i) && !/[\w$]/.test(this.text[this.i + word.length] ?? '')) {
            this.i += word.length;
            return { value, node: { start, end: this.i } };
          }
        }
        throw this.unexpectedValue();
      default:
        if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
          const value = this.parseNumber();
          return { value, node: { start, end: this.i } };
        }
        throw this.unexpectedValue();
    }
  }

  private parseObject(depth: number): { value: unknown; node: JsonNode } {
    const start = this.i++;
    const value: Record<string, unknown> = {};
    const members = new Map<string, JsonMember>();
    this.skipWs();
    if (this.text[this.i] === '}') {
      this.i++;
      return { value, node: { start, end: this.i, members } };
    }
    for (;;) {
      this.skipWs();
      const keyStart = this.i;
      if (this.text[this.i] !== '"') throw this.badKey();
      const key = this.parseString();
      const keyEnd = this.i;
      this.skipWs();
      if (this.text[this.i] !== ':') throw this.error(`expected ":" after the key ${JSON.stringify(key)}, found ${this.describeHere()}`);
      this.i++;
      this.skipWs();
      this.path.push(key);
      const member = this.parseValue(depth + 1);
      this.path.pop();
      const first = members.get(key);
      if (first) this.duplicates.push({ path: [...this.path, key], keyStart, keyEnd, firstKeyStart: first.keyStart });
      // A "__proto__" key is data, as in JSON.parse, never the prototype.
      if (key === '__proto__') Object.defineProperty(value, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      else value[key] = member.value;
      members.set(key, { keyStart, keyEnd, node: member.node });
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        const comma = this.i++;
        this.skipWs();
        if (this.text[this.i] === '}') throw new JsonSyntaxError('trailing comma before "}" is not allowed in JSON', comma, comma + 1);
        continue;
      }
      if (c === '}') {
        this.i++;
        return { value, node: { start, end: this.i, members } };
      }
      throw this.expected('"," or "}" after a property value');
    }
  }

  private parseArray(depth: number): { value: unknown; node: JsonNode } {
    const start = this.i++;
    const value: unknown[] = [];
    const items: JsonNode[] = [];
    this.skipWs();
    if (this.text[this.i] === ']') {
      this.i++;
      return { value, node: { start, end: this.i, items } };
    }
    for (;;) {
      this.skipWs();
      this.path.push(items.length);
      const item = this.parseValue(depth + 1);
      this.path.pop();
      value.push(item.value);
      items.push(item.node);
      this.skipWs();
      const c = this.text[this.i];
      if (c === ',') {
        const comma = this.i++;
        this.skipWs();
        if (this.text[this.i] === ']') throw new JsonSyntaxError('trailing comma before "]" is not allowed in JSON', comma, comma + 1);
        continue;
      }
      if (c === ']') {
        this.i++;
        return { value, node: { start, end: this.i, items } };
      }
      throw this.expected('"," or "]" after a list item');
    }
  }

  private parseString(): string {
    const start = this.i++;
    let out = '';
    let chunk = this.i;
    for (;;) {
      if (this.i >= this.text.length) throw new JsonSyntaxError('unterminated string: expected a closing "', start, this.i);
      const code = this.text.charCodeAt(this.i);
      if (code === 0x22) {
        out += this.text.slice(chunk, this.i);
        this.i++;
        return out;
      }
      if (code < 0x20) {
        const what = code === 0x0a || code === 0x0d ? 'a line break' : `the control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
        throw new JsonSyntaxError(`${what} inside a string must be escaped (use \\n, \\t or \\u00XX)`, this.i, this.i + 1);
      }
      if (code !== 0x5c) {
        this.i++;
        continue;
      }
      out += this.text.slice(chunk, this.i);
      const escape = this.text[this.i + 1];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (escape !== undefined && Object.hasOwn(simple, escape)) {
        out += simple[escape];
        this.i += 2;
      } else if (escape === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.i + 2, this.i + 6))) {
        out += String.fromCharCode(parseInt(this.text.slice(this.i + 2, this.i + 6), 16));
        this.i += 6;
      } else {
        const shown = escape === undefined ? '\\' : `\\${escape}`;
        throw new JsonSyntaxError(`invalid escape ${JSON.stringify(shown)} in a string`, this.i, Math.min(this.i + 2, this.text.length));
      }
      chunk = this.i;
    }
  }

  private parseNumber(): number {
    const start = this.i;
    const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    match.lastIndex = start;
    const m = match.exec(this.text);
    const text = m?.[0] ?? '';
    const after = this.text[start + text.length] ?? '';
    if (text === '' || text === '-' || /[\d.eE+\-xXa-zA-Z_]/.test(after)) {
      const word = /^-?[\w.+-]*/.exec(this.text.slice(start))![0];
      let why = `${JSON.stringify(word)} is not a JSON number`;
      if (/^-?0\d/.test(word)) why += ' (no leading zeros)';
      else if (/^-?Infinity$/.test(word)) why = `${word} is not JSON`;
      else if (/\.$|\.[eE]|\.\D/.test(word)) why += ' (a digit must follow ".")';
      throw new JsonSyntaxError(why, start, start + Math.max(word.length, 1));
    }
    this.i = start + text.length;
    return Number(text);
  }

  private skipWs(): void {
    while (this.i < this.text.length && WS.has(this.text.charCodeAt(this.i))) this.i++;
  }

  private describeHere(): string {
    if (this.i >= this.text.length) return 'end of file';
    const c = String.fromCodePoint(this.text.codePointAt(this.i)!);
    return /[\x20-\x7e]/.test(c) ? JSON.stringify(c) : `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  }

  private error(message: string): JsonSyntaxError {
    return new JsonSyntaxError(message, this.i, Math.min(this.i + 1, this.text.length));
  }

  private expected(what: string): JsonSyntaxError {
    if (this.text[this.i] === '/') return this.error('comments are not allowed in JSON');
    if (this.i >= this.text.length) return this.error(`unexpected end of file; expected ${what}`);
    return this.error(`expected ${what}, found ${this.describeHere()}`);
  }

  private unexpectedValue(): JsonSyntaxError {
    const c = this.text[this.i];
    if (c === undefined) return this.error('unexpected end of file; expected a value');
    if (c === "'") return this.error('strings must use double quotes (") in JSON');
    if (c === '/') return this.error('comments are not allowed in JSON');
    const word = /^[\w$.+-]+/.exec(this.text.slice(this.i))?.[0];
    if (word !== undefined) {
      if (/^(?:NaN|[+-]?Infinity|undefined)$/.test(word)) return new JsonSyntaxError(`${word} is not JSON`, this.i, this.i + word.length);
      if (/^[+.]/.test(word)) return new JsonSyntaxError(`${JSON.stringify(word)} is not a JSON number`, this.i, this.i + word.length);
      return new JsonSyntaxError(`unexpected ${JSON.stringify(word)}; expected a value (strings need double quotes)`, this.i, this.i + word.length);
    }
    return this.error(`unexpected ${this.describeHere()}; expected a value`);
  }

  private badKey(): JsonSyntaxError {
    const c = this.text[this.i];
    if (c === '}') return this.error('expected a property name, found "}"');
    if (c === "'") return this.error('property names must use double quotes (") in JSON');
    if (c === '/') return this.error('comments are not allowed in JSON');
    if (c !== undefined && /[\w$]/.test(c)) return this.error('property names must be strings in double quotes');
    return this.expected('a property name in double quotes');
  }
}
