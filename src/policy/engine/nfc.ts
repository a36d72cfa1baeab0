/**
 * Unicode normalization for paths. Two spellings of a name that are the same under NFC (`café`
 * written with one code point or with `e` and a combining accent; `K` and the Kelvin sign) are one
 * file to macOS file systems, and to servers that look a missing name up among the existing ones
 * (server-filesystem's resolveUnicodeEquivalentPath): paths are compared in NFC. ASCII text, most
 * of it, is NFC already and is returned as it is without asking ICU.
 */

/**
 * Whether `text` is all ASCII: its UTF-8 is as long as it is (any other character takes two bytes
 * or more). Asked of every string argument, and ~4× faster than a regular expression that looks
 * for a character over U+007F (~21 against ~80 ns for 60 characters).
 */
export function isAscii(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') === text.length;
}

export function nfc(text: string): string {
  return isAscii(text) ? text : text.normalize('NFC');
}
