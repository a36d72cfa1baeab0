import { type Node, findNodeAtLocation, getNodeValue, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { GuardError } from '../errors.js';
import { type ConfigDocument, isRecord, type ServerSource } from './config-document.js';
import type { ConfigLocation } from './registry.js';
import { type ArrayLayout, isCompactArray, type Span } from './text-edit.js';

/**
 * A JSON or JSONC config (VS Code's and Gemini's files allow comments and trailing commas; the
 * others are plain JSON, which is JSONC too). Parsed with jsonc-parser, which keeps every node's
 * offset, so edits replace exact spans and leave everything else as it was.
 */
export function parseJsonDocument(text: string, location: Pick<ConfigLocation, 'file' | 'serversKey' | 'projectEntries'>): ConfigDocument {
  // A byte-order mark is not JSON; a space in its place keeps every offset.
  const source = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  const errors: ParseError[] = [];
  const root = parseTree(source, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new GuardError('CONFIG_UNREADABLE', `${location.file}:${position(text, first.offset)}: not valid JSON (${printParseErrorCode(first.error)}); fix the file, then run this again`, {
      data: { file: location.file },
    });
  }
  const servers: ServerSource[] = [];
  if (root?.type === 'object') {
    servers.push(...serversIn(root, [location.serversKey]));
    const projects = location.projectEntries ? findNodeAtLocation(root, ['projects']) : undefined;
    for (const property of projects?.type === 'object' ? (projects.children ?? []) : []) {
      const project = property.children?.[0]?.value as string;
      servers.push(...serversIn(root, ['projects', project, location.serversKey]).map((s) => ({ ...s, project })));
    }
  }
  return {
    servers,
    quote: (value) => JSON.stringify(value),
    addArgs: (server, elements) => ({ offset: end(server.command!.span), length: 0, content: `, "args": [${elements.join(', ')}]` }),
    addedArgsRemoval: (server) => {
      const args = server.args;
      const command = server.command;
      if (!args?.layout || !command || !isCompactArray(text, args.layout)) return undefined;
      const keyStart = args.span.offset - keyAndColonLength(text, args.span.offset);
      if (text.slice(end(command.span), keyStart) !== ', ' || !/^"args"\s*:\s*$/.test(text.slice(keyStart, args.span.offset))) return undefined;
      return { offset: end(command.span), length: end(args.span) - end(command.span), content: '' };
    },
  };
}

function serversIn(root: Node, path: string[]): ServerSource[] {
  const container = findNodeAtLocation(root, path);
  if (container?.type !== 'object') return [];
  const out: ServerSource[] = [];
  for (const property of container.children ?? []) {
    const [key, value] = property.children ?? [];
    if (!key || value?.type !== 'object') continue;
    const server: ServerSource = { name: key.value as string, path: [...path, key.value as string], value: getNodeValue(value) as Record<string, unknown> };
    if (!isRecord(server.value)) continue;
    const command = findNodeAtLocation(value, ['command']);
    if (command) server.command = { span: spanOf(command), value: getNodeValue(command) };
    const args = findNodeAtLocation(value, ['args']);
    if (args) server.args = { span: spanOf(args), value: getNodeValue(args), ...(args.type === 'array' ? { layout: layoutOf(args) } : {}) };
    out.push(server);
  }
  return out;
}

function spanOf(node: Node): Span {
  return { offset: node.offset, length: node.length };
}

function end(span: Span): number {
  return span.offset + span.length;
}

function layoutOf(array: Node): ArrayLayout {
  return { open: array.offset, close: array.offset + array.length - 1, elements: (array.children ?? []).map(spanOf) };
}

/** How far back from a property's value its `"key":` starts (whitespace allowed around the colon). */
function keyAndColonLength(text: string, valueOffset: number): number {
  const match = /"(?:[^"\\]|\\.)*"\s*:\s*$/.exec(text.slice(Math.max(0, valueOffset - 200), valueOffset));
  return match ? match[0].length : 0;
}

/** `line:column`, both 1-based, of an offset. */
export function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}
