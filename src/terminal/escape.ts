/**
 * Text from a log, a server or an agent, made safe to print as part of one terminal line
 * (SPEC §4): control characters and line breaks, C1 controls, bidirectional overrides and
 * isolates, and zero-width characters are shown as `\uXXXX` instead of acting on the terminal.
 */
export function escapeForTerminal(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
