#!/usr/bin/env node
// npm run test:conformance: mcp-guard with an allow-all policy must change nothing a client can
// observe. The official MCP conformance suite (@modelcontextprotocol/conformance) runs its server
// scenarios twice over, once directly against a server and once with mcp-guard in between, and
// the two sets of passing scenarios (and the status and details of every check) must be identical.
// Two runs, one per protocol era:
//
// - 2025 era: suite 0.1.16 against @modelcontextprotocol/server-everything (SDK v1), bridged from
//   stdio to HTTP by mcp-proxy.
// - 2026-07-28: suite 0.2.0-alpha.12 (`--suite all --spec-version 2026-07-28`) against
//   test/fixtures/conformance-server.mjs (SDK v2, serveStdio; server-everything does not speak
//   2026-07-28), bridged by the HTTP entry below. mcp-proxy cannot be used there: it is an SDK
//   client and server that re-issues each call, and input_required results do not cross it.
//
// The suite needs Node 22; it and mcp-proxy are installed at run time into a cache directory
// (MCP_GUARD_CONFORMANCE_CACHE, default node_modules/.cache/mcp-guard-conformance) with the npm
// package node@22, so the system Node and the project's dependencies are untouched.
// Exit 0: identical; 1: they differ; 2: the run itself failed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { TextDecoder } from 'node:util';
import {
  classifyInboundRequest,
  isJsonContentType,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  SUBSCRIPTION_ID_META_KEY,
  UnsupportedProtocolVersionError,
  validateHostHeader,
  validateOriginHeader,
} from '@modelcontextprotocol/server';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = resolve(process.env.MCP_GUARD_CONFORMANCE_CACHE ?? join(ROOT, 'node_modules/.cache/mcp-guard-conformance'));
// Pinned so that a new release of the suite cannot change the verdict between two runs. The
// 2026-07-28 suite is installed beside the 2025 one under an npm alias.
const SUITE_2026 = 'conformance-2026-07-28';
const TOOLS = {
  node: '22',
  '@modelcontextprotocol/conformance': '0.1.16',
  [SUITE_2026]: 'npm:@modelcontextprotocol/conformance@0.2.0-alpha.12',
  'mcp-proxy': '6.7.19',
};
const BIN = join(CACHE, 'node_modules/.bin');
const suiteEntry = (name) => join(CACHE, 'node_modules', name, 'dist/index.js');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const CONFORMANCE_SERVER = join(ROOT, 'test/fixtures/conformance-server.mjs');
const GUARD = join(ROOT, 'bin/mcp-guard.js');
const children = [];
const httpServers = [];

function fail(message) {
  console.error(`conformance: ${message}`);
  stopAll();
  process.exit(2);
}

function install() {
  const wanted = JSON.stringify(TOOLS);
  const stamp = join(CACHE, 'installed.json');
  const present = [suiteEntry('@modelcontextprotocol/conformance'), suiteEntry(SUITE_2026), join(BIN, 'mcp-proxy'), join(BIN, 'node')].every((file) => existsSync(file));
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && present) return;
  const specs = Object.entries(TOOLS).map(([n, v]) => `${n}@${v}`);
  console.log(`conformance: installing ${specs.join(', ')} into ${CACHE}`);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'package.json'), JSON.stringify({ name: 'mcp-guard-conformance-tools', private: true }));
  try {
    execFileSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--loglevel=error', ...specs], { stdio: 'inherit' });
  } catch {
    fail(`npm install into ${CACHE} failed (the npm registry must be reachable)`);
  }
  writeFileSync(stamp, wanted);
}

/** The tools' own environment: their `node` (22) first on PATH, for the suites and mcp-proxy. The servers and mcp-guard run on the Node running this script. */
const toolEnv = { ...process.env, PATH: `${BIN}${delimiter}${process.env.PATH}` };

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

function accepts(port) {
  return new Promise((resolveConnect) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

/** Starts `command` in a process group of its own (stopAll kills the group: the server behind mcp-guard goes too). */
function startGroup(command, stdin) {
  const child = spawn(command[0], command.slice(1), { env: toolEnv, stdio: [stdin, 'pipe', 'pipe'], detached: true });
  child.group = true;
  children.push(child);
  return child;
}

/** 2025 era: mcp-proxy serves the stdio command as Streamable HTTP. */
async function startProxy(name, command) {
  const port = await freePort();
  const child = startGroup([join(BIN, 'mcp-proxy'), '--port', String(port), '--host', '127.0.0.1', '--server', 'stream', '--', ...command], 'ignore');
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/mcp`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`mcp-proxy (${name}) exited: ${log.slice(-2000)}`);
    if (await accepts(port)) return { url, exited: () => (child.exitCode === null ? undefined : log.slice(-2000)) };
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`mcp-proxy (${name}) did not listen on ${url} within 30 s: ${log.slice(-2000)}`);
}

// 2026-07-28: an HTTP entry in front of one stdio connection, per the revision's Streamable HTTP
// binding. Like the SDK's own HTTP entry (createMcpHandler), and with the SDK's own classifier, it
// answers what it checks before any server sees a request: Host/Origin, method, media type, JSON,
// the per-request envelope, the revision (only 2026-07-28: a stdio connection carries one era,
// and a request without a 2026-07-28 envelope would turn it into a 2025-era one), and the
// MCP-Protocol-Version, Mcp-Method, Mcp-Name and Mcp-Param-* headers. Every other request is
// relayed as one line. Ids are renumbered (concurrent POSTs may reuse an id, one stdio connection
// may not) and put back, in subscription ids too; nothing else in a message is changed (it is
// re-serialised). A request's answer goes back on its POST: as JSON, or as SSE once a notification
// for it arrives (progress by token, logs to requests that asked for them, subscription
// notifications by subscription id). Closing a POST cancels its request.
const SERVED_REVISIONS = ['2026-07-28'];
const HEADER_MISMATCH = -32020;
const NAME_SOURCE = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };
/** HTTP status of an error answer: the revision's 404 for an unknown method, 400 for a request the server would not take. */
const STATUS_OF_ERROR = { [-32700]: 400, [-32600]: 400, [-32601]: 404, [-32022]: 400, [-32021]: 400, [HEADER_MISMATCH]: 400 };

function errorBody(code, message, data, id = null) {
  return { jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** A header value: plain, or the `=?base64?…?=` sentinel for values a header cannot carry (undefined: a broken sentinel). */
function decodeHeaderValue(value) {
  if (!(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  const base64 = value.slice('=?base64?'.length, -'?='.length);
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(base64)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(base64, 'base64'));
  } catch {
    return undefined;
  }
}

/** The `x-mcp-header` declarations of a tool's input schema: argument path → header name, along `properties` only. */
function headerDeclarations(schema, path = [], found = []) {
  for (const [key, child] of Object.entries(schema?.properties ?? {})) {
    if (child === null || typeof child !== 'object') continue;
    if (typeof child['x-mcp-header'] === 'string') found.push({ path: [...path, key], header: child['x-mcp-header'], numeric: child.type === 'integer' || child.type === 'number' });
    headerDeclarations(child, [...path, key], found);
  }
  return found;
}

/**
 * The HTTP-only checks on a 2026-07-28 request: the required headers are present and agree with
 * the body, and so do the `Mcp-Param-*` headers of the tool's `x-mcp-header` arguments (the tool's
 * schema as the server listed it).
 */
function headerMismatch(headers, message, declarations) {
  if (headers['mcp-protocol-version'] === undefined) return 'the required MCP-Protocol-Version header is absent';
  if (headers['mcp-method'] === undefined) return 'the required Mcp-Method header is absent';
  const field = NAME_SOURCE[message.method];
  const bodyValue = field === undefined ? undefined : message.params?.[field];
  if (typeof bodyValue !== 'string') return undefined;
  const header = headers['mcp-name'];
  if (header === undefined) return `the body carries params.${field} but the required Mcp-Name header is absent`;
  const decoded = decodeHeaderValue(header.trim());
  if (decoded === undefined) return 'the Mcp-Name header carries an invalid Base64 sentinel value';
  if (decoded !== bodyValue) return `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`;
  if (message.method !== 'tools/call') return undefined;
  for (const declaration of declarations.get(bodyValue) ?? []) {
    let value = message.params.arguments;
    for (const key of declaration.path) value = value !== null && typeof value === 'object' ? value[key] : undefined;
    if (!['string', 'number', 'boolean'].includes(typeof value)) continue;
    const name = `Mcp-Param-${declaration.header}`;
    const raw = headers[name.toLowerCase()];
    if (raw === undefined) return `the body carries ${declaration.path.join('.')} but the ${name} header is absent`;
    const param = decodeHeaderValue(raw.trim());
    if (param === undefined) return `the ${name} header carries an invalid Base64 sentinel value`;
    const equal = declaration.numeric && typeof value === 'number' && /^-?\d+(\.\d+)?$/.test(param) ? Number(param) === value : param === String(value);
    if (!equal) return `the ${name} header decodes to ${JSON.stringify(param)} but the body carries ${JSON.stringify(value)}`;
  }
  return undefined;
}

async function startBridge(name, command) {
  const child = startGroup(command, 'pipe');
  child.stdin.on('error', () => {}); // a server that exits is reported by exited()
  let log = '';
  child.stderr.on('data', (d) => (log = (log + d).slice(-20_000)));
  /** bridge id → { res, id (the client's), listen, progressToken, logs, streaming } */
  const pending = new Map();
  let nextId = 0;
  /** tool name → its x-mcp-header declarations, from the tools/list results relayed. */
  const declarations = new Map();

  const send = (res, status, body) => {
    if (res.headersSent || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const event = (entry, message) => {
    if (entry.res.writableEnded) return;
    if (!entry.streaming) {
      entry.streaming = true;
      entry.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    }
    entry.res.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  };
  /** Puts the client's id back where the server echoed the bridge's: the subscription id. */
  const restoreSubscription = (message, entry) => {
    const meta = message.params?._meta ?? message.result?._meta;
    if (meta !== undefined && SUBSCRIPTION_ID_META_KEY in meta) meta[SUBSCRIPTION_ID_META_KEY] = entry.id;
    return message;
  };

  createInterface({ input: child.stdout }).on('line', (line) => {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    if ('id' in message && ('result' in message || 'error' in message)) {
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      for (const tool of entry.method === 'tools/list' && Array.isArray(message.result?.tools) ? message.result.tools : []) declarations.set(tool?.name, headerDeclarations(tool?.inputSchema));
      const answer = restoreSubscription({ ...message, id: entry.id }, entry);
      if (entry.streaming) {
        event(entry, answer);
        entry.res.end();
      } else {
        send(entry.res, answer.error ? (STATUS_OF_ERROR[answer.error.code] ?? 200) : 200, answer);
      }
      return;
    }
    if (typeof message.method !== 'string' || 'id' in message) return; // 2026-07-28 servers send no requests
    const subscription = message.params?._meta?.[SUBSCRIPTION_ID_META_KEY];
    const targets = [...pending.values()].filter((entry) =>
      subscription !== undefined
        ? entry.listen && pending.get(subscription) === entry
        : !entry.listen && (message.method === 'notifications/progress' ? entry.progressToken !== undefined && entry.progressToken === message.params?.progressToken : message.method === 'notifications/message' && entry.logs),
    );
    for (const entry of targets) event(entry, restoreSubscription(JSON.parse(line), entry));
  });

  const relay = (message, res) => {
    const bridgeId = ++nextId;
    const meta = message.params?._meta ?? {};
    const entry = { res, id: message.id, method: message.method, listen: message.method === 'subscriptions/listen', progressToken: meta.progressToken, logs: meta['io.modelcontextprotocol/logLevel'] !== undefined, streaming: false };
    pending.set(bridgeId, entry);
    res.on('close', () => {
      if (!pending.has(bridgeId)) return;
      pending.delete(bridgeId);
      if (child.stdin.writable) child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: bridgeId, reason: 'the HTTP client closed the stream' } })}\n`);
    });
    child.stdin.write(`${JSON.stringify({ ...message, id: bridgeId })}\n`);
  };

  const handle = async (req, res) => {
    if (new URL(req.url, 'http://localhost').pathname !== '/mcp') return send(res, 404, errorBody(-32000, 'Not found'));
    const host = validateHostHeader(req.headers.host, localhostAllowedHostnames());
    if (!host.ok) return send(res, 403, errorBody(-32000, host.message));
    const origin = validateOriginHeader(req.headers.origin, localhostAllowedOrigins());
    if (!origin.ok) return send(res, 403, errorBody(-32000, origin.message));
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' });
      return res.end();
    }
    if (!isJsonContentType(req.headers['content-type'])) return send(res, 415, errorBody(-32000, 'Unsupported Media Type: Content-Type must be application/json'));
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, errorBody(-32700, 'Parse error: the request body is not valid JSON'));
    }
    const echoId = body !== null && typeof body === 'object' && typeof body.method === 'string' && ['string', 'number'].includes(typeof body.id) ? body.id : null;
    const outcome = classifyInboundRequest({
      httpMethod: 'POST',
      protocolVersionHeader: req.headers['mcp-protocol-version'],
      mcpMethodHeader: req.headers['mcp-method'],
      mcpNameHeader: req.headers['mcp-name'],
      body,
    });
    if (outcome.kind === 'reject') return send(res, outcome.httpStatus, errorBody(outcome.code, outcome.message, outcome.data, echoId));
    const revision = outcome.kind === 'modern' ? outcome.classification.revision : outcome.requestedVersion;
    if (outcome.kind === 'legacy' || !SERVED_REVISIONS.includes(revision)) {
      if (echoId === null) {
        res.writeHead(202);
        return res.end();
      }
      const error = new UnsupportedProtocolVersionError({ supported: SERVED_REVISIONS, requested: revision ?? 'unknown' });
      return send(res, 400, errorBody(error.code, error.message, error.data, echoId));
    }
    if (outcome.messageKind !== 'request') {
      child.stdin.write(`${JSON.stringify(body)}\n`);
      res.writeHead(202);
      return res.end();
    }
    const mismatch = headerMismatch(req.headers, body, declarations);
    if (mismatch !== undefined) return send(res, 400, errorBody(HEADER_MISMATCH, `Bad Request: the request headers and body disagree: ${mismatch}`, undefined, echoId));
    relay(body, res);
  };

  const server = createHttpServer((req, res) => {
    handle(req, res).catch((error) => send(res, 500, errorBody(-32603, `bridge: ${error.message}`)));
  });
  httpServers.push(server);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  child.on('exit', () => {
    for (const entry of pending.values()) send(entry.res, 502, errorBody(-32603, `the stdio server (${name}) exited`, undefined, entry.id));
    pending.clear();
  });
  return { url: `http://127.0.0.1:${server.address().port}/mcp`, exited: () => (child.exitCode === null ? undefined : log.slice(-2000)) };
}

function runSuite(suite, args, url, outDir) {
  return new Promise((resolveRun) => {
    const child = spawn(join(BIN, 'node'), [suiteEntry(suite), 'server', '--url', url, '-o', outDir, ...args], { env: toolEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, output });
    });
  });
}

/** scenario → { passed, checks: { id → status }, details } from the suite's output directory. */
function results(outDir) {
  const byScenario = new Map();
  for (const entry of readdirSync(outDir)) {
    const file = join(outDir, entry, 'checks.json');
    if (!existsSync(file)) continue;
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const statuses = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    const details = JSON.stringify(checks.map((c) => [c.id, c.details ?? null, c.errorMessage ?? null]), volatile);
    // The suite's own verdict: no check failed, and at least one succeeded.
    const passed = checks.some((c) => c.status === 'SUCCESS') && !checks.some((c) => c.status === 'FAILURE');
    byScenario.set(scenario, { passed, checks: statuses, details });
  }
  return byScenario;
}

/** What differs from run to run whatever sits in between: times, session and subscription ids, random ids and sealed state, ports. */
function volatile(key, value) {
  if (key === 'timestamp' || /sessionid|requestid|subscriptionid|requeststate|^id$|port/i.test(key)) return typeof value;
  if (typeof value === 'string') {
    return value
      .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+Z/g, '<time>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
      .replace(/127\.0\.0\.1:\d+/g, '<host>');
  }
  return value;
}

function stopAll() {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      // A group leader's server (and mcp-guard's server) go with it.
      process.kill(child.group ? -child.pid : child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  for (const server of httpServers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
}

/** Runs one suite directly and through mcp-guard; prints the table; returns the scenarios that differ. */
async function compare(run, work, policy) {
  const targets = [
    { name: 'direct', command: [process.execPath, run.server] },
    { name: 'through mcp-guard', command: [process.execPath, GUARD, '--quiet', '--policy', policy, '--state-dir', join(work, `${run.id}-state`), '--', process.execPath, run.server] },
  ];
  const outcome = {};
  for (const target of targets) {
    const served = await run.serve(`${run.id}, ${target.name}`, target.command);
    const outDir = join(work, `${run.id}-${target.name.replace(/\W+/g, '-')}`);
    const suiteRun = await runSuite(run.suite, run.args, served.url, outDir);
    const exitLog = served.exited();
    if (exitLog !== undefined) fail(`what the suite talked to (${run.title}, ${target.name}) exited during the run:\n${exitLog}`);
    outcome[target.name] = existsSync(outDir) ? results(outDir) : new Map();
    if (outcome[target.name].size === 0) fail(`the suite produced no results (${run.title}, ${target.name}):\n${suiteRun.output.slice(-3000)}`);
    stopAll();
  }
  const direct = outcome.direct;
  const guarded = outcome['through mcp-guard'];
  const scenarios = [...new Set([...direct.keys(), ...guarded.keys()])].sort();
  const differences = [];
  console.log(`\n${run.title}`);
  console.log('scenario'.padEnd(46), 'direct'.padEnd(8), 'through mcp-guard');
  for (const s of scenarios) {
    const a = direct.get(s);
    const b = guarded.get(s);
    const mark = (r) => (r === undefined ? 'missing' : r.passed ? 'pass' : 'fail');
    const checksDiffer = JSON.stringify(a?.checks ?? {}) !== JSON.stringify(b?.checks ?? {});
    const detailsDiffer = a?.details !== b?.details;
    if (mark(a) !== mark(b) || checksDiffer || detailsDiffer) differences.push(s);
    const note = checksDiffer ? `  checks differ: ${JSON.stringify(a?.checks)} vs ${JSON.stringify(b?.checks)}` : detailsDiffer ? `  what the client saw differs:\n    ${a?.details?.slice(0, 600)}\n    ${b?.details?.slice(0, 600)}` : '';
    console.log(s.padEnd(46), mark(a).padEnd(8), mark(b), note);
  }
  const passing = (m) => [...m.values()].filter((r) => r.passed).length;
  console.log(`conformance: ${run.title}: ${passing(direct)} of ${direct.size} scenarios pass directly, ${passing(guarded)} of ${guarded.size} through mcp-guard`);
  if (differences.length > 0) console.log(`conformance: ${run.title}: mcp-guard changed what the client observes in: ${differences.join(', ')}`);
  else console.log(`conformance: ${run.title}: identical with and without mcp-guard`);
  return differences;
}

const runs = [
  { id: '2025', title: '2025-era scenarios (suite 0.1.16, server-everything via mcp-proxy)', suite: '@modelcontextprotocol/conformance', args: [], server: EVERYTHING, serve: startProxy },
  {
    id: '2026-07-28',
    title: '2026-07-28 scenarios (suite 0.2.0-alpha.12, test/fixtures/conformance-server.mjs via the 2026-07-28 HTTP entry)',
    suite: SUITE_2026,
    args: ['--suite', 'all', '--spec-version', '2026-07-28'],
    server: CONFORMANCE_SERVER,
    serve: startBridge,
  },
].filter((run) => process.env.MCP_GUARD_CONFORMANCE_ONLY === undefined || run.id === process.env.MCP_GUARD_CONFORMANCE_ONLY);
if (runs.length === 0) fail(`MCP_GUARD_CONFORMANCE_ONLY is ${JSON.stringify(process.env.MCP_GUARD_CONFORMANCE_ONLY)}; use 2025 or 2026-07-28, or unset it to run both`);

install();
if (!existsSync(join(ROOT, 'dist/cli/main.js'))) fail('mcp-guard is not built; run npm run build first');
const work = mkdtempSync(join(tmpdir(), 'mcp-guard-conformance-'));
const policy = join(work, 'allow-all.policy.json');
// MCP_GUARD_CONFORMANCE_POLICY swaps in another policy (e.g. to see the comparison fail).
writeFileSync(policy, process.env.MCP_GUARD_CONFORMANCE_POLICY ?? JSON.stringify({ version: '1', default: 'allow', pin: 'off' }));

let differing = 0;
for (const run of runs) differing += (await compare(run, work, policy)).length;
stopAll();
if (process.env.MCP_GUARD_CONFORMANCE_KEEP) console.log(`conformance: results kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
if (differing > 0) process.exit(1);
console.log('conformance: identical with and without mcp-guard in every run');
