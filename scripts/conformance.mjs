#!/usr/bin/env node
// npm run test:conformance: mcp-guard with an allow-all policy must change nothing a client can
// observe. The official MCP conformance suite (@modelcontextprotocol/conformance) runs its server
// scenarios against @modelcontextprotocol/server-everything bridged to HTTP by mcp-proxy, once
// directly and once with mcp-guard in between; the two sets of passing scenarios (and the status
// of every check) must be identical.
//
// The suite needs Node 22; it and mcp-proxy are installed at run time into a cache directory
// (MCP_GUARD_CONFORMANCE_CACHE, default node_modules/.cache/mcp-guard-conformance) with the npm
// package node@22, so the system Node and the project's dependencies are untouched.
// Exit 0: identical; 1: they differ; 2: the run itself failed.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const CACHE = resolve(process.env.MCP_GUARD_CONFORMANCE_CACHE ?? join(ROOT, 'node_modules/.cache/mcp-guard-conformance'));
// Pinned so that a new release of the suite cannot change the verdict between two runs.
const TOOLS = { node: '22', '@modelcontextprotocol/conformance': '0.1.16', 'mcp-proxy': '6.7.19' };
const BIN = join(CACHE, 'node_modules/.bin');
const EVERYTHING = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const GUARD = join(ROOT, 'bin/mcp-guard.js');
const children = [];

function fail(message) {
  console.error(`conformance: ${message}`);
  stopAll();
  process.exit(2);
}

function install() {
  const wanted = JSON.stringify(TOOLS);
  const stamp = join(CACHE, 'installed.json');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted && existsSync(join(BIN, 'conformance')) && existsSync(join(BIN, 'mcp-proxy'))) return;
  console.log(`conformance: installing ${Object.entries(TOOLS).map(([n, v]) => `${n}@${v}`).join(', ')} into ${CACHE}`);
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(join(CACHE, 'package.json'), JSON.stringify({ name: 'mcp-guard-conformance-tools', private: true }));
  try {
    execFileSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--loglevel=error', ...Object.entries(TOOLS).map(([n, v]) => `${n}@${v}`)], { stdio: 'inherit' });
  } catch {
    fail(`npm install into ${CACHE} failed (the npm registry must be reachable)`);
  }
  writeFileSync(stamp, wanted);
}

/** The tools' own environment: their `node` (22) first on PATH. The server and mcp-guard run on this Node. */
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

async function startProxy(name, command) {
  const port = await freePort();
  const child = spawn(join(BIN, 'mcp-proxy'), ['--port', String(port), '--host', '127.0.0.1', '--server', 'stream', '--', ...command], {
    env: toolEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(child);
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/mcp`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail(`mcp-proxy (${name}) exited: ${log.slice(-2000)}`);
    if (await accepts(port)) return { url, log: () => log };
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`mcp-proxy (${name}) did not listen on ${url} within 30 s: ${log.slice(-2000)}`);
}

function runSuite(name, url, outDir) {
  return new Promise((resolveRun) => {
    const child = spawn(join(BIN, 'conformance'), ['server', '--url', url, '-o', outDir], { env: toolEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ name, code, output });
    });
  });
}

/** scenario → { passed, checks: { id → status } } from the suite's output directory. */
function results(outDir) {
  const byScenario = new Map();
  for (const entry of readdirSync(outDir)) {
    const file = join(outDir, entry, 'checks.json');
    if (!existsSync(file)) continue;
    const scenario = entry.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, '');
    const checks = JSON.parse(readFileSync(file, 'utf8'));
    const statuses = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    const details = JSON.stringify(checks.map((c) => [c.id, c.details ?? null, c.errorMessage ?? null]), volatile);
    byScenario.set(scenario, { passed: checks.length > 0 && checks.every((c) => c.status === 'SUCCESS'), checks: statuses, details });
  }
  return byScenario;
}

/** What differs from run to run whatever sits in between: times, session ids, random ids, ports. */
function volatile(key, value) {
  if (key === 'timestamp' || /sessionid|requestid|^id$|port/i.test(key)) return typeof value;
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
      // mcp-proxy was started as a group leader: its server child (and mcp-guard's) go with it.
      process.kill(child.spawnargs[0].endsWith('mcp-proxy') ? -child.pid : child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
}

install();
if (!existsSync(join(ROOT, 'dist/cli/main.js'))) fail('mcp-guard is not built; run npm run build first');
const work = mkdtempSync(join(tmpdir(), 'mcp-guard-conformance-'));
const policy = join(work, 'allow-all.policy.json');
// MCP_GUARD_CONFORMANCE_POLICY swaps in another policy (e.g. to see the comparison fail).
writeFileSync(policy, process.env.MCP_GUARD_CONFORMANCE_POLICY ?? JSON.stringify({ version: '1', default: 'allow', pin: 'off' }));

const targets = [
  { name: 'direct', command: [process.execPath, EVERYTHING] },
  { name: 'through mcp-guard', command: [process.execPath, GUARD, '--quiet', '--policy', policy, '--state-dir', join(work, 'state'), '--', process.execPath, EVERYTHING] },
];
const outcome = {};
for (const target of targets) {
  const proxy = await startProxy(target.name, target.command);
  const outDir = join(work, target.name.replace(/\W+/g, '-'));
  const run = await runSuite(target.name, proxy.url, outDir);
  outcome[target.name] = results(outDir);
  if (outcome[target.name].size === 0) fail(`the suite produced no results ${target.name}:\n${run.output.slice(-3000)}`);
  stopAll();
}
stopAll();

const direct = outcome.direct;
const guarded = outcome['through mcp-guard'];
const scenarios = [...new Set([...direct.keys(), ...guarded.keys()])].sort();
const differences = [];
console.log('scenario'.padEnd(34), 'direct'.padEnd(8), 'through mcp-guard');
for (const s of scenarios) {
  const a = direct.get(s);
  const b = guarded.get(s);
  const mark = (r) => (r === undefined ? 'missing' : r.passed ? 'pass' : 'fail');
  const checksDiffer = JSON.stringify(a?.checks ?? {}) !== JSON.stringify(b?.checks ?? {});
  const detailsDiffer = a?.details !== b?.details;
  if (mark(a) !== mark(b) || checksDiffer || detailsDiffer) differences.push(s);
  const note = checksDiffer ? `  checks differ: ${JSON.stringify(a?.checks)} vs ${JSON.stringify(b?.checks)}` : detailsDiffer ? `  what the client saw differs:\n    ${a?.details?.slice(0, 600)}\n    ${b?.details?.slice(0, 600)}` : '';
  console.log(s.padEnd(34), mark(a).padEnd(8), mark(b), note);
}
const passing = (m) => [...m].filter(([, r]) => r.passed).length;
console.log(`conformance: ${passing(direct)} of ${direct.size} scenarios pass directly, ${passing(guarded)} of ${guarded.size} through mcp-guard`);
if (process.env.MCP_GUARD_CONFORMANCE_KEEP) console.log(`conformance: results kept in ${work}`);
else rmSync(work, { recursive: true, force: true });
if (differences.length > 0) {
  console.log(`conformance: mcp-guard changed what the client observes in: ${differences.join(', ')}`);
  process.exit(1);
}
console.log('conformance: identical with and without mcp-guard');
