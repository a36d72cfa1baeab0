#!/usr/bin/env node
// The benchmark's upstream: a dependency-free MCP server on stdio (newline-delimited JSON-RPC).
// It offers `echo` (returns its `text`), `blob` (returns `size` bytes of text) and `items` (returns
// `n` content items), plus 20 more tools so that list filtering has something to do, and lists
// `n` resources when `resources/list` is given the cursor `size:<n>` (none otherwise). It is deliberately cheap so that what the
// benchmark sees is the cost of whatever sits between it and the client.
import { TOOLS } from './fixture-tools.mjs';

const NEWLINE = 0x0a;
const out = process.stdout;
/** Encoded `blob` bodies by size: built once, then only the id changes between answers. */
const blobBodies = new Map();

function send(message) {
  out.write(`${JSON.stringify(message)}\n`);
}

function answer(id, result) {
  send({ jsonrpc: '2.0', id, result });
}

function sendBlob(id, size) {
  let body = blobBodies.get(size);
  if (body === undefined) {
    // Printable ASCII with no characters JSON would escape, so `size` characters are `size` bytes.
    body = Buffer.alloc(size, 'abcdefghijklmnopqrstuvwxyz0123456789');
    blobBodies.set(size, body);
  }
  out.cork();
  out.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":{"content":[{"type":"text","text":"`);
  out.write(body);
  out.write('"}]}}\n');
  process.nextTick(() => out.uncork());
}

function callTool(id, params) {
  const args = params?.arguments ?? {};
  switch (params?.name) {
    case 'echo':
      return answer(id, { content: [{ type: 'text', text: String(args.text ?? '') }] });
    case 'blob': {
      const size = Number(args.size);
      if (!Number.isSafeInteger(size) || size < 0) {
        return answer(id, { content: [{ type: 'text', text: 'size must be a non-negative integer' }], isError: true });
      }
      return sendBlob(id, size);
    }
    case 'items': {
      const n = Number(args.n);
      if (!Number.isSafeInteger(n) || n < 0) return answer(id, { content: [{ type: 'text', text: 'n must be a non-negative integer' }], isError: true });
      const content = Array.from({ length: n }, (_, i) =>
        args.links === true ? { type: 'resource_link', uri: `file:///data/d${i % 40}/f${i}.txt`, name: `f${i}` } : { type: 'text', text: `item ${i}` },
      );
      return answer(id, { content });
    }
    default:
      if (TOOLS.some((tool) => tool.name === params?.name)) {
        return answer(id, { content: [{ type: 'text', text: `${params.name}: done` }] });
      }
      return answer(id, { content: [{ type: 'text', text: `unknown tool ${params?.name}` }], isError: true });
  }
}

function handle(message) {
  const { id, method, params } = message;
  if (id === undefined || id === null) return; // notifications need no answer
  switch (method) {
    case 'initialize':
      return answer(id, {
        protocolVersion: params?.protocolVersion ?? '2025-06-18',
        capabilities: { tools: {} },
        serverInfo: { name: 'mcp-guard-bench-fixture', version: '1.0.0' },
      });
    case 'ping':
      return answer(id, {});
    case 'tools/list':
      return answer(id, { tools: TOOLS });
    case 'resources/list': {
      const n = /^size:(\d+)$/.exec(String(params?.cursor ?? ''))?.[1];
      const resources = Array.from({ length: Number(n ?? 0) }, (_, i) => ({ uri: `file:///data/d${i % 40}/f${i}.txt`, name: `f${i}`, mimeType: 'text/plain' }));
      return answer(id, { resources });
    }
    case 'tools/call':
      return callTool(id, params);
    default:
      return send({ jsonrpc: '2.0', id, error: { code: -32601, message: `method not found: ${method}` } });
  }
}

function handleLine(line) {
  if (line.length === 0) return;
  let message;
  try {
    message = JSON.parse(line.toString('utf8'));
  } catch {
    send({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } });
    return;
  }
  if (Array.isArray(message)) message.forEach(handle);
  else handle(message);
}

// Framing as in the driver: scan Buffers for \n, join the parts of a split line once.
let pending = [];
process.stdin.on('data', (chunk) => {
  let start = 0;
  let newline = chunk.indexOf(NEWLINE);
  if (pending.length > 0) {
    if (newline === -1) {
      pending.push(chunk);
      return;
    }
    pending.push(chunk.subarray(0, newline));
    handleLine(Buffer.concat(pending));
    pending = [];
    start = newline + 1;
    newline = chunk.indexOf(NEWLINE, start);
  }
  while (newline !== -1) {
    handleLine(chunk.subarray(start, newline));
    start = newline + 1;
    newline = chunk.indexOf(NEWLINE, start);
  }
  if (start < chunk.length) pending.push(chunk.subarray(start));
});
// Exit when the client goes away, like any well-behaved stdio server.
process.stdin.on('end', () => out.end());
out.on('error', () => process.exit(0));
