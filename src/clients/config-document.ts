import type { ArrayLayout, Span, TextEdit } from './text-edit.js';

/** One server entry as it stands in a config file: its parsed value and where its parts are. */
export interface ServerSource {
  name: string;
  /** Key path of the server's object in the file, e.g. `["projects", "/src/app", "mcpServers", "github"]`. */
  path: string[];
  /** For Claude Code's per-project entries in `~/.claude.json`: the project's directory. */
  project?: string;
  value: Record<string, unknown>;
  command?: { span: Span; value: unknown };
  /** `layout` is there when the value is an array literal. */
  args?: { span: Span; value: unknown; layout?: ArrayLayout };
}

/**
 * A parsed config file, JSON(C) or TOML, with what `wrap` and `unwrap` need to edit it in
 * place: where each server's command and args are, and how this format writes a string and adds
 * or drops an `args` entry.
 */
export interface ConfigDocument {
  servers: ServerSource[];
  /** A string literal in this format. */
  quote(value: string): string;
  /** Adds `args` with these elements (source text) to a server that has none, right after its command. */
  addArgs(server: ServerSource, elements: readonly string[]): TextEdit;
  /** When `args` sits exactly where and how `addArgs` puts it: the edit that takes it out again. */
  addedArgsRemoval(server: ServerSource): TextEdit | undefined;
}

/** A plain object (not an array or null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
