#!/usr/bin/env node
// README.md is made of the sections in docs/readme/, in the order docs/readme/ORDER lists, so
// each part of the manual is edited in one place. `node scripts/build-readme.mjs` rewrites it;
// `--check` exits 1 when README.md is out of date (the test suite runs that).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'docs/readme');
const order = readFileSync(join(dir, 'ORDER'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

const missing = order.filter((name) => !existsSync(join(dir, name)));
if (missing.length > 0) {
  process.stderr.write(`build-readme: missing sections in docs/readme: ${missing.join(', ')}\n`);
  process.exit(1);
}
const header = '<!-- Generated from docs/readme/ by scripts/build-readme.mjs: edit the sections there. -->\n\n';
const text = header + order.map((name) => readFileSync(join(dir, name), 'utf8').trim()).join('\n\n') + '\n';
const target = join(root, 'README.md');
if (process.argv.includes('--check')) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== text) {
    process.stderr.write('build-readme: README.md is out of date; run node scripts/build-readme.mjs\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
