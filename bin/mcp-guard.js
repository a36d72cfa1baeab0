#!/usr/bin/env node
// Shebang shim: the CLI lives in dist/ (run `npm run build` first when working from a clone).
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`mcp-guard: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 2;
  },
);
