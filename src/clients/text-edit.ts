/**
 * Text edits on a config file, and the layout of an array literal in it. JSON and TOML arrays
 * look alike (`[`, elements, commas, whitespace, comments, `]`), so inserting and removing
 * elements is the same job for both: it touches only the text between the elements it adds or
 * removes, so comments, indentation and the untouched elements keep their exact bytes.
 */

/** Replace `length` characters at `offset` with `content`. */
export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** A span of the file: `offset` and `length` in characters. */
export interface Span {
  offset: number;
  length: number;
}

/** An array literal: the offset of its `[`, the offset of its `]`, and each element's span. */
export interface ArrayLayout {
  open: number;
  close: number;
  elements: Span[];
}

/** Applies non-overlapping edits, however ordered. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.offset) + e.content + out.slice(e.offset + e.length);
  return out;
}

export function spanText(text: string, span: Span): string {
  return text.slice(span.offset, span.offset + span.length);
}

/**
 * What goes between two elements, copied from the array itself: the text between its first two
 * elements when that is only a comma and whitespace; otherwise a comma and the line break and
 * indentation in front of the first element, when it is on a line of its own; otherwise `, `.
 */
export function elementSeparator(text: string, array: ArrayLayout): string {
  const [first, second] = array.elements;
  if (first && second) {
    const between = text.slice(first.offset + first.length, second.offset);
    if (/^\s*,\s*$/.test(between)) return between;
  }
  const anchor = second ?? first;
  if (anchor) {
    const lineStart = text.lastIndexOf('\n', anchor.offset - 1);
    const indent = text.slice(lineStart + 1, anchor.offset);
    if (lineStart >= array.open && /^[ \t]*$/.test(indent)) {
      const eol = text[lineStart - 1] === '\r' ? '\r\n' : '\n';
      return `,${eol}${indent}`;
    }
  }
  return ', ';
}

/** Inserts elements (given as source text) in front of element `index` (or at the end of an empty array). */
export function insertElements(text: string, array: ArrayLayout, index: number, elements: readonly string[]): TextEdit {
  const separator = elementSeparator(text, array);
  const before = array.elements[index];
  if (before) return { offset: before.offset, length: 0, content: elements.map((e) => e + separator).join('') };
  if (array.elements.length === 0) return { offset: array.open + 1, length: 0, content: elements.join(separator) };
  const last = array.elements[array.elements.length - 1]!;
  return { offset: last.offset + last.length, length: 0, content: elements.map((e) => separator + e).join('') };
}

/**
 * Removes the first `count` elements: everything from the first element up to the next kept
 * one, so that the inverse of `insertElements(…, 0, …)` gives back the bytes it was given.
 */
export function removeLeadingElements(array: ArrayLayout, count: number): TextEdit {
  const first = array.elements[0]!;
  const kept = array.elements[count];
  if (kept) return { offset: first.offset, length: kept.offset - first.offset, content: '' };
  const last = array.elements[count - 1]!;
  return { offset: first.offset, length: last.offset + last.length - first.offset, content: '' };
}

/** Whether an array is written exactly as `addArgs` writes one: `[a, b, c]`, nothing else inside. */
export function isCompactArray(text: string, array: ArrayLayout): boolean {
  return text.slice(array.open, array.close + 1) === `[${array.elements.map((e) => spanText(text, e)).join(', ')}]`;
}

/** The end-of-line a file uses: CRLF when it has any, else LF. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}
