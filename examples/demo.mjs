#!/usr/bin/env node
// `npm run demo`: mcp-guard around a real MCP server (@modelcontextprotocol/server-everything),
// driven by a real MCP client (the SDK's Client), with examples/demo.policy.json. It prints what
// the agent asked for, what mcp-guard decided, the rule that decided it, and what the agent got.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(ROOT, 'bin/mcp-guard.js');
const POLICY = join(ROOT, 'examples/demo.policy.json');
const SERVER = join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

// no-color.org: NO_COLOR (set, not empty) turns colour off unless FORCE_COLOR asks for it.
if (process.env.NO_COLOR && process.env.FORCE_COLOR === undefined) chalk.level = 0;

const out = (line = '') => process.stdout.write(`${line}\n`);
const json = (value) => JSON.stringify(value);
const ok = chalk.green;
const bad = chalk.red;
const dim = chalk.dim;

/** What each call in the demo does, in order. `answer` is what the demo's "person" says when asked. */
const SCRIPT = [
  { title: 'an allowed call', tool: 'echo', args: { message: 'hello through mcp-guard' } },
  { title: 'allowed: the arguments fit the args schema', tool: 'get-sum', args: { a: 2, b: 3 } },
  { title: 'the same tool with arguments the schema refuses', tool: 'get-sum', args: { a: 'two', b: 3 } },
  { title: 'a tool the policy denies, with its reason', tool: 'toggle-simulated-logging', args: {} },
  { title: 'a hidden tool, called anyway', tool: 'get-env', args: {} },
  { title: 'a tool the policy does not name (default: deny)', tool: 'gzip-file-as-resource', args: {} },
  { title: 'a rate limit of 3 a minute, called 4 times', tool: 'get-tiny-image', args: {}, times: 4 },
  { title: 'a call that needs a person: they say no', tool: 'toggle-subscriber-updates', args: {}, answer: 'decline' },
  { title: 'the same call: this time they say yes', tool: 'toggle-subscriber-updates', args: {}, answer: 'accept' },
  { title: 'a resource the policy allows', uri: 'demo://resource/static/document/features.md' },
  { title: 'a resource the policy denies', uri: 'demo://resource/dynamic/text/1' },
];

async function main() {
  for (const [file, fix] of [
    [join(ROOT, 'dist/cli/main.js'), 'run `npm run build` first (`npm run demo` does)'],
    [SERVER, 'run `npm install` first: the demo uses the devDependency @modelcontextprotocol/server-everything'],
  ]) {
    if (!existsSync(file)) {
      process.stderr.write(`demo: ${relative(ROOT, file)} is missing; ${fix}\n`);
      return 1;
    }
  }
  const started = Date.now();
  const policy = JSON.parse(readFileSync(POLICY, 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'mcp-guard-demo-'));
  const auditFile = join(work, 'audit.jsonl');
  const guardArgs = [BIN, '--policy', POLICY, '--state-dir', join(work, 'state'), '--audit-log', auditFile, '--shutdown-timeout', '1', '--', process.execPath, SERVER];

  out(chalk.bold('mcp-guard demo'));
  out(`${dim('policy')}  ${relative(process.cwd(), POLICY) || POLICY}`);
  out(`${dim('server')}  @modelcontextprotocol/server-everything`);
  out(`${dim('client')}  the MCP SDK's Client, talking to: mcp-guard --policy <policy> -- node <server>`);

  const serverTools = await listDirectly();
  const answers = [];
  const guarded = await connect(guardArgs, answers);
  try {
    const visible = (await guarded.client.listTools()).tools.map((t) => t.name);
    out();
    out(chalk.bold('tools/list'));
    out(`  the server offers ${serverTools.length} tools; through mcp-guard the agent sees ${visible.length}: ${visible.join(', ')}`);
    for (const name of serverTools.filter((n) => !visible.includes(n))) {
      const why = policy.hide?.includes(name) ? 'hide' : policy.tools?.[name] ? `tools.${name}` : 'default';
      out(`  ${chalk.yellow('hidden')}   ${name.padEnd(31)} ${dim('rule')} ${why}${why === 'default' ? dim(' (not in the policy, and default is deny)') : ''}`);
    }

    const tally = new Map();
    for (const step of SCRIPT) {
      out();
      out(chalk.bold(step.title));
      for (let i = 0; i < (step.times ?? 1); i++) {
        if (step.answer) answers.push(step.answer);
        const shown = await (step.uri ? readResource(guarded.client, step.uri, auditFile) : callTool(guarded.client, step.tool, step.args, auditFile));
        tally.set(shown, (tally.get(shown) ?? 0) + 1);
      }
    }

    // Every call above was decided, so each has a record; the last may still be on its way to disk.
    const calls = [...tally.values()].reduce((a, b) => a + b, 0);
    let records = readAudit(auditFile);
    for (let attempt = 0; records.length < calls && attempt < 50; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      records = readAudit(auditFile);
    }
    out();
    out(chalk.bold('audit log'));
    out(`  ${records.length} decisions, one JSON line each; the rate-limited call:`);
    out(`  ${dim(json(records.find((r) => r.decision === 'rate_limited') ?? records.at(-1)))}`);
    out();
    out(
      `${chalk.bold('done')} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        [...tally].map(([decision, n]) => `${n} ${decision}`).join(', '),
    );
    out(dim('next: `node bin/mcp-guard.js check --policy examples/demo.policy.json get-sum \'{"a":1,"b":2}\'` judges a call without running anything;'));
    out(dim('      `node bin/mcp-guard.js init -o my-policy.json -- <your server command>` writes a starting policy for your server.'));
    return 0;
  } catch (error) {
    process.stderr.write(`demo: ${error.message}\n${guarded.stderr()}`);
    return 1;
  } finally {
    await guarded.client.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The server's own tool list, asked for without mcp-guard in between. */
async function listDirectly() {
  const transport = new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' });
  const client = new Client({ name: 'mcp-guard-demo-direct', version: '1.0.0' }, { capabilities: {} });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

/** A client that can answer mcp-guard's approval questions (elicitation) from `answers`. */
async function connect(args, answers) {
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { ...process.env }, stderr: 'pipe' });
  const stderr = [];
  transport.stderr?.on('data', (d) => stderr.push(String(d)));
  const client = new Client({ name: 'mcp-guard-demo', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const action = answers.shift() ?? 'decline';
    out(`  ${chalk.yellow('?')} mcp-guard asks the user: ${dim(json(request.params.message))}`);
    out(`    the user ${action === 'accept' ? ok('says yes') : bad('says no')}`);
    return action === 'accept' ? { action, content: {} } : { action };
  });
  await client.connect(transport);
  return { client, stderr: () => stderr.join('') };
}

/** How many allowed records the audit log already has for a call, to tell the next one apart. */
function allowedSoFar(file, matches) {
  return readAudit(file).filter((r) => r.direction === 'client→server' && r.decision === 'allowed' && matches(r)).length;
}

async function callTool(client, name, args, auditFile) {
  out(`  ${chalk.cyan('→')} tools/call ${chalk.bold(name)} ${json(args)}`);
  const seen = allowedSoFar(auditFile, (r) => r.tool === name);
  const result = await client.callTool({ name, arguments: args });
  const text = result.content?.find((c) => c.type === 'text')?.text ?? `[${result.content?.map((c) => c.type).join(', ')}]`;
  const guard = result._meta?.['mcp-guard'];
  if (guard) {
    const retry = guard.retryAfterSeconds === undefined ? '' : `  ${dim('retry after')} ${guard.retryAfterSeconds} s`;
    out(`    ${bad('✗ refused')}  ${bad(guard.decision)}  ${dim('rule')} ${guard.rule}${retry}`);
    out(`      the agent reads: ${dim(json(text))}`);
    return guard.decision;
  }
  out(`    ${ok('✓ allowed')}  ${dim('rule')} ${await ruleFromAudit(auditFile, (r) => r.tool === name, seen)}`);
  out(`      the server answered: ${dim(json(text.length > 70 ? `${text.slice(0, 70)}…` : text))}`);
  return 'allowed';
}

async function readResource(client, uri, auditFile) {
  out(`  ${chalk.cyan('→')} resources/read ${chalk.bold(uri)}`);
  const seen = allowedSoFar(auditFile, (r) => r.uri === uri);
  try {
    const result = await client.readResource({ uri });
    out(`    ${ok('✓ allowed')}  ${dim('rule')} ${await ruleFromAudit(auditFile, (r) => r.uri === uri, seen)}`);
    out(`      the server answered: ${dim(`${result.contents.length} content item(s), ${result.contents[0]?.mimeType ?? 'no type'}`)}`);
    return 'allowed';
  } catch (error) {
    // Refusals of anything but tools/call are JSON-RPC errors with code -31403 (SPEC §4).
    if (error.code !== -31403) throw error;
    out(`    ${bad('✗ refused')}  ${bad(error.data.decision)}  ${dim('rule')} ${error.data.rule}`);
    out(`      the agent gets JSON-RPC error ${error.code}: ${dim(json(error.message.replace(/^MCP error -?\d+: /, '')))}`);
    return error.data.decision;
  }
}

function readAudit(file) {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

/**
 * Allowed calls carry no mcp-guard metadata; the audit log says which rule let them through. The
 * record is written within a moment of the decision, so wait briefly for it if need be.
 */
async function ruleFromAudit(file, matches, seen) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const records = readAudit(file).filter((r) => r.direction === 'client→server' && r.decision === 'allowed' && matches(r));
    if (records.length > seen) return records.at(-1).rule;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return '?';
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`demo: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
