#!/usr/bin/env node
// Shebang shim: the CLI lives in dist/, which `npm install` (prepare) and `npm pack` (prepack)
// build. A checkout that was never built says so in one line instead of a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The bundle (scripts/bundle.mjs) starts faster; the modules it is made of are the same code.
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
const entry = existsSync(bundled) ? bundled : new URL('../dist/cli/main.js', import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');

if (!existsSync(entry)) {
  process.stderr.write(`mcp-guard: not built yet (${fileURLToPath(entry)} is missing); run \`npm install\` or \`npm run build\` in ${root}\n`);
  process.exitCode = 2;
} else {
  let cli;
  try {
    cli = await import(entry.href);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(`mcp-guard: cannot start: ${error.message.split('\n')[0]}; run \`npm install\` in ${root}\n`);
    process.exitCode = 2;
  }
  cli?.main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`mcp-guard: internal error: ${error?.stack ?? error}\n`);
      process.exitCode = 2;
    },
  );
}
