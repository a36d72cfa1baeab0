#!/usr/bin/env node
// `node record-stdin.mjs <record-file> <command> [args...]`: starts a real MCP server and passes
// its stdin through unchanged, appending every byte it receives to <record-file>, so a test can
// prove what a server we cannot instrument (server-filesystem, server-memory…) was sent. stdout
// and stderr are the server's own. It exits with the server's code, and is in the server's
// process group, so mcp-guard's signals reach both.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { constants } from 'node:os';

const [record, command, ...args] = process.argv.slice(2);
if (!record || !command) {
  process.stderr.write('usage: record-stdin.mjs <record-file> <command> [args...]\n');
  process.exit(2);
}
const child = spawn(command, args, { stdio: ['pipe', 'inherit', 'inherit'] });
// The server may exit before its input ends; what is left to pass on is then dropped.
child.stdin.on('error', () => undefined);
process.stdin.on('data', (chunk) => {
  appendFileSync(record, chunk);
  child.stdin.write(chunk);
});
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 15)));
