/**
 * Makes untrusted text (a server's or an agent's: tool names, URIs, reasons from a policy, lines a
 * server printed) safe to print on one line of a terminal, a log or stderr (SPEC §4): control
 * characters and line breaks, C1 controls, bidirectional overrides and isolates, and zero-width
 * characters are written as visible escapes, so no text can move the cursor, start a fake
 * `mcp-guard:` line, or reorder what a person reads.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeText(text: string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
