/**
 * Marks a pattern written in RE2's own syntax and meaning (a PolicyLayer `regex` condition, which
 * is Go's regexp): toRe2 leaves it as written. `\Q\E` is an empty quotation to RE2, and no
 * ECMAScript pattern starts with it (`\Q` is not an escape there).
 */
export const RE2_SYNTAX = '\\Q\\E';

/** A pattern in RE2's syntax, marked so that it keeps RE2's meaning (see RE2_SYNTAX). */
export function re2Pattern(pattern: string): string {
  return RE2_SYNTAX + pattern;
}
