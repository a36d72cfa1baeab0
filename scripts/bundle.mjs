#!/usr/bin/env node
// The CLI as one ES module and a few chunks (dist/bundle/), built from dist/ after tsc: loading
// ~100 small modules cost `run` some 25 ms of start-up on the 2-core dev machine (a file to open
// and a module to compile for each). Commands loaded on demand (lint, venv, …) stay separate
// chunks, so `run` still loads only what it uses. Dependencies stay outside, resolved from
// node_modules as before. dist/bundle/ is two levels deep, as every module it is made of was, so
// their paths relative to import.meta.url (the schema, bin/) still hold.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(root, 'dist/cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
});
