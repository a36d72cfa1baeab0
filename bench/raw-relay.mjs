#!/usr/bin/env node
// The floor for any Node proxy: a byte relay that pipes stdin to a child and the child's stdout
// back, with no framing, parsing or judging. Usage: node raw-relay.mjs <command> [args...]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
process.stdin.pipe(child.stdin);
child.stdout.pipe(process.stdout);
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
