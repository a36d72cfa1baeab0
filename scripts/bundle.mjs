#!/usr/bin/env node
// The CLI as one ES module and a few chunks (dist/bundle/), built from dist/ after tsc: loading
// ~100 small modules cost `run` some 25 ms of start-up on the 2-core dev machine (a file to open
// and a module to compile for each). Commands loaded on demand (lint, venv, …) stay separate
// chunks, so `run` still loads only what it uses. Ajv and the packages it requires are bundled
// too: as ~90 CommonJS files it cost a policy with argument schemas another ~45 ms to load; the
// other dependencies stay outside, resolved from node_modules as before (better-sqlite3 is native,
// the rest load only with the commands that use them). dist/bundle/ is two levels deep, as every module it is made of was, so
// their paths relative to import.meta.url (the schema, bin/) still hold.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Packages copied into the bundle; every other bare import stays an import from node_modules. */
const BUNDLED = new Set(['ajv', 'fast-deep-equal', 'fast-uri', 'json-schema-traverse', 'require-from-string', 're2js']);

const bundleOnly = {
  name: 'bundle-only',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, ({ path }) => {
      const name = path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];
      return BUNDLED.has(name) ? undefined : { path, external: true };
    });
  },
};

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
  plugins: [bundleOnly],
  // CommonJS inside an ES module bundle: its require() of Node's own modules needs a real require.
  banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
  logLevel: 'warning',
});
