import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

describe('README.md', () => {
  it('is built from docs/readme/ and up to date (node scripts/build-readme.mjs)', () => {
    const r = spawnSync(process.execPath, ['scripts/build-readme.mjs', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
  it('starts with the command that runs the demo and the one that runs the tests', () => {
    const text = readFileSync('README.md', 'utf8');
    const firstBlock = text.slice(text.indexOf('```sh'), text.indexOf('```', text.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm install && npm run demo');
    expect(firstBlock).toContain('npm test');
  });
});
