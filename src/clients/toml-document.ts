import { parse, TomlError } from 'smol-toml';
import { GuardError } from '../errors.js';
import { type ConfigDocument, isRecord, type ServerSource } from './config-document.js';
import type { ConfigLocation } from './registry.js';
import { type ArrayLayout, isCompactArray, lineBreakOf, type Span, type TextEdit } from './text-edit.js';
import { scanTomlEntries, type TomlEntry, type TomlValueSpan, tomlString } from './toml-spans.js';

/**
 * A TOML config (Codex's `config.toml`, servers under `[mcp_servers.<name>]`). smol-toml reads
 * the values; the span scanner finds where `command` and `args` are, so edits replace exactly
 * those values and nothing else in the file moves.
 */
export function parseTomlDocument(text: string, location: Pick<ConfigLocation, 'file' | 'serversKey'>): ConfigDocument {
  let root: Record<string, unknown>;
  try {
    root = parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as Record<string, unknown>;
  } catch (error) {
    const where = error instanceof TomlError ? `:${error.line}:${error.column}` : '';
    const reason = (error as Error).message.split('\n')[0];
    throw new GuardError('CONFIG_UNREADABLE', `${location.file}${where}: not valid TOML (${reason}); fix the file, then run this again`, { data: { file: location.file } });
  }
  const entries = new Map<string, TomlEntry>();
  let scanned: TomlEntry[];
  try {
    scanned = scanTomlEntries(text);
  } catch (error) {
    // smol-toml read the file, so this is a gap in the scanner, not the user's mistake.
    throw new GuardError('CONFIG_UNREADABLE', `${location.file}: mcp-guard cannot locate values in this TOML (${(error as Error).message}); please report it`, { data: { file: location.file } });
  }
  for (const entry of scanned) entries.set(JSON.stringify(entry.path), entry);
  const entryOf = (server: ServerSource, key: string) => entries.get(JSON.stringify([...server.path, key]));

  const servers: ServerSource[] = [];
  const container = root[location.serversKey];
  for (const [name, value] of Object.entries(isRecord(container) ? container : {})) {
    if (!isRecord(value)) continue;
    const server: ServerSource = { name, path: [location.serversKey, name], value };
    const command = entryOf(server, 'command');
    if (command) server.command = { span: spanOf(command.value), value: value.command };
    const args = entryOf(server, 'args');
    if (args) server.args = { span: spanOf(args.value), value: value.args, ...(args.value.kind === 'array' ? { layout: layoutOf(args.value) } : {}) };
    servers.push(server);
  }

  const eol = lineBreakOf(text);
  return {
    servers,
    quote: tomlString,
    addArgs: (server, elements) => {
      const command = entryOf(server, 'command')!;
      const array = `[${elements.join(', ')}]`;
      if (command.inline) return { offset: end(command.value), length: 0, content: `, ${argsKey(text, command)} = ${array}` };
      return { offset: command.lineEnd, length: 0, content: `${eol}${indentOf(text, command)}${argsKey(text, command)} = ${array}` };
    },
    addedArgsRemoval: (server): TextEdit | undefined => {
      const command = entryOf(server, 'command');
      const args = entryOf(server, 'args');
      if (!command || !args || command.inline !== args.inline || args.value.kind !== 'array' || !isCompactArray(text, layoutOf(args.value))) return undefined;
      if (command.inline) {
        if (text.slice(end(command.value), args.keyOffset) !== ', ') return undefined;
        return { offset: end(command.value), length: end(args.value) - end(command.value), content: '' };
      }
      if (text.slice(command.lineEnd, args.keyOffset) !== eol + indentOf(text, command) || args.lineEnd !== end(args.value)) return undefined;
      return { offset: command.lineEnd, length: args.lineEnd - command.lineEnd, content: '' };
    },
  };
}

function spanOf(value: TomlValueSpan): Span {
  return { offset: value.offset, length: value.length };
}

function end(span: Span): number {
  return span.offset + span.length;
}

function layoutOf(array: TomlValueSpan): ArrayLayout {
  return { open: array.offset, close: array.offset + array.length - 1, elements: (array.elements ?? []).map(spanOf) };
}

/** The key for `args` written the way the command's key is: `command` gives `args`, `github.command` gives `github.args`. */
function argsKey(text: string, command: TomlEntry): string {
  return `${text.slice(command.keyOffset, command.lastKeyOffset)}args`;
}

/** The spaces in front of an entry on its own line. */
function indentOf(text: string, entry: TomlEntry): string {
  const lineStart = text.lastIndexOf('\n', entry.keyOffset - 1) + 1;
  const indent = text.slice(lineStart, entry.keyOffset);
  return /^[ \t]*$/.test(indent) ? indent : '';
}
