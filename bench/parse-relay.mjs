#!/usr/bin/env node
// The floor for a proxy that reads every message: frames each direction's input into lines,
// decodes each line and parses it with JSON.parse, judges nothing, and relays each chunk's
// complete lines in one write. What any judging proxy in Node must do at least, with none of
// the judging. Usage: node parse-relay.mjs <command> [args...]
import { spawn } from 'node:child_process';

const [command, ...args] = process.argv.slice(2);
const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });

/** Relays `input` to `output` a chunk at a time, each line parsed first; a line split across chunks waits for its end. */
function relay(input, output) {
  let rest;
  input.on('data', (chunk) => {
    if (rest) {
      chunk = Buffer.concat([rest, chunk]);
      rest = undefined;
    }
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      if (newline > start) JSON.parse(chunk.toString('utf8', start, newline));
      start = newline + 1;
    }
    if (start < chunk.length) rest = chunk.subarray(start);
    if (start > 0) output.write(start === chunk.length ? chunk : chunk.subarray(0, start));
  });
  input.on('end', () => {
    if (rest) output.write(rest);
  });
}

relay(process.stdin, child.stdin);
relay(child.stdout, process.stdout);
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => {
  process.exitCode = code ?? 1;
});
